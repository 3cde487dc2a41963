namespace RedisScheduler;

/// <summary>Options of one <see cref="TaskHandler{T}"/>, set with <c>AddTaskHandler&lt;THandler&gt;(o =&gt; ...)</c>. Validated when the host starts.</summary>
public sealed class TaskHandlerOptions
{
    /// <summary>How many tasks this handler runs at once in this process.</summary>
    /// <value>Default: 8.</value>
    public int Concurrency { get; set; } = 8;

    /// <summary>This handler's retry policy; <see langword="null"/> for <see cref="RedisSchedulerOptions.Retry"/>.</summary>
    /// <value>Default: <see langword="null"/>.</value>
    public RetryPolicy? Retry { get; set; }
}
