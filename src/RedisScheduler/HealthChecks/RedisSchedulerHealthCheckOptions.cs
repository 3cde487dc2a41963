using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RedisScheduler;

/// <summary>
/// Options of the health checks that <c>services.AddHealthChecks().AddRedisScheduler()</c> registers:
/// a readiness check (Redis answers and has the scripts; optional Degraded thresholds) and a
/// liveness check (every worker loop of this instance is cycling).
/// </summary>
public sealed class RedisSchedulerHealthCheckOptions
{
    /// <summary>The name of the readiness check.</summary>
    /// <value>Default: <c>"redis-scheduler-ready"</c>.</value>
    public string ReadinessName { get; set; } = "redis-scheduler-ready";

    /// <summary>The tags of the readiness check, for <c>MapHealthChecks</c> predicates.</summary>
    /// <value>Default: <c>ready</c>.</value>
    public IList<string> ReadinessTags { get; } = ["ready"];

    /// <summary>The name of the liveness check.</summary>
    /// <value>Default: <c>"redis-scheduler-live"</c>.</value>
    public string LivenessName { get; set; } = "redis-scheduler-live";

    /// <summary>The tags of the liveness check.</summary>
    /// <value>Default: <c>live</c>.</value>
    public IList<string> LivenessTags { get; } = ["live"];

    /// <summary>What either check reports when it fails (Redis does not answer, or a worker loop stalled).</summary>
    /// <value>Default: <see cref="HealthStatus.Unhealthy"/>.</value>
    public HealthStatus FailureStatus { get; set; } = HealthStatus.Unhealthy;

    /// <summary>How long the readiness check waits for Redis, all its commands together.</summary>
    /// <value>Default: 5 seconds.</value>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a worker loop may go without beginning a cycle, beyond
    /// <see cref="RedisSchedulerOptions.MaxIdleDelay"/> (the longest an idle loop sleeps), before the
    /// liveness check fails. A loop whose every slot is taken waits for a handler, which is not a stall.
    /// </summary>
    /// <value>Default: 30 seconds.</value>
    public TimeSpan LivenessTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Readiness reports <see cref="HealthStatus.Degraded"/> when a type's oldest due task not yet
    /// started is late by more than this. <see langword="null"/> for no threshold.
    /// </summary>
    /// <value>Default: <see langword="null"/>.</value>
    public TimeSpan? MaxLateness { get; set; }

    /// <summary>
    /// Readiness reports <see cref="HealthStatus.Degraded"/> when a type has more dead letters than
    /// this. <see langword="null"/> for no threshold.
    /// </summary>
    /// <value>Default: <see langword="null"/>.</value>
    public long? MaxDeadLetters { get; set; }

    /// <summary>
    /// Task types the readiness check reports on besides those this instance handles (for an
    /// instance that only schedules). Each costs one read-only script call per check.
    /// </summary>
    /// <value>Default: none.</value>
    public IList<string> TaskTypes { get; } = [];
}
