namespace RedisScheduler;

/// <summary>
/// The names under which RedisScheduler reports traces and metrics, for wiring up OpenTelemetry
/// (<c>AddSource(RedisSchedulerDiagnostics.ActivitySourceName)</c>,
/// <c>AddMeter(RedisSchedulerDiagnostics.MeterName)</c>) and for filtering what it reports. Spans and
/// attributes follow the OpenTelemetry messaging semantic conventions; docs/observability.md lists them all.
/// </summary>
public static class RedisSchedulerDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of every span: <c>RedisScheduler</c>.</summary>
    public const string ActivitySourceName = "RedisScheduler";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> of every instrument: <c>RedisScheduler</c>.</summary>
    public const string MeterName = "RedisScheduler";

    /// <summary>The value of <c>messaging.system</c> on every span and measurement: <c>redis_scheduler</c>.</summary>
    public const string MessagingSystem = "redis_scheduler";

    /// <summary>The operation of the span made when tasks are scheduled (<c>send &lt;task type&gt;</c>, kind Producer).</summary>
    public const string SendOperation = "send";

    /// <summary>The operation of the span around a handler (<c>process &lt;task type&gt;</c>, kind Consumer).</summary>
    public const string ProcessOperation = "process";

    /// <summary>Attribute: the attempt of the delivery, 1 on the first run.</summary>
    public const string AttemptTag = "redis_scheduler.task.attempt";

    /// <summary>Attribute: when this attempt was due (ISO 8601, the Redis server's clock): a retry's own due time.</summary>
    public const string DueAtTag = "redis_scheduler.task.due_at";

    /// <summary>Attribute: how late the handler started after the task's due time, in seconds, every attempt from its own due time.</summary>
    public const string LatenessTag = "redis_scheduler.task.lateness";

    /// <summary>Metric attribute: what became of a delivery (<c>succeeded</c>, <c>retried</c>, <c>dead_lettered</c>, <c>released</c>, <c>lease_lost</c>).</summary>
    public const string OutcomeTag = "redis_scheduler.task.outcome";

    /// <summary>Metric attribute: the state counted by the <c>redis_scheduler.tasks</c> gauge (<c>scheduled</c>, <c>ready</c>, <c>processing</c>, <c>dead_lettered</c>, <c>waiting</c>, <c>failed</c>, <c>succeeded</c>).</summary>
    public const string StateTag = "redis_scheduler.task.state";
}
