namespace RedisScheduler;

/// <summary>Options of one <see cref="TaskHandler{T}"/>, set with <c>AddTaskHandler&lt;THandler&gt;(o =&gt; ...)</c>. Validated when the host starts.</summary>
public sealed class TaskHandlerOptions
{
    /// <summary>How many tasks this handler runs at once in this process.</summary>
    /// <value>Default: 8.</value>
    public int Concurrency { get; set; } = 8;

    /// <summary>
    /// The most tasks of this type running at once across every instance of the application, for
    /// work that a downstream system limits (at most 5 calls to a partner API at a time). Enforced in
    /// Redis; the slot of a crashed worker comes back when its lease runs out. Every instance should
    /// set the same value. <see langword="null"/> for no limit beyond each instance's <see cref="Concurrency"/>.
    /// </summary>
    /// <value>Default: <see langword="null"/>.</value>
    public int? GlobalConcurrencyLimit { get; set; }

    /// <summary>
    /// The most tasks of this type started per second (of the Redis server's clock) across every
    /// instance. Enforced in Redis. <see langword="null"/> for no limit.
    /// </summary>
    /// <value>Default: <see langword="null"/>.</value>
    public int? RateLimitPerSecond { get; set; }

    /// <summary>
    /// Whether the span around this handler (<c>process &lt;task type&gt;</c>) starts a new trace with a
    /// link to the span the task was scheduled under, instead of continuing that trace as its child.
    /// Turn it on for tasks due long after they were scheduled, where one trace spanning days helps
    /// nobody; see docs/observability.md.
    /// </summary>
    /// <value>Default: <see langword="false"/> (the handler's span is a child of the scheduling span).</value>
    public bool LinkToSchedulingTrace { get; set; }

    /// <summary>This handler's retry policy; <see langword="null"/> for <see cref="RedisSchedulerOptions.Retry"/>.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    public RetryPolicy? Retry { get; set; }
}
