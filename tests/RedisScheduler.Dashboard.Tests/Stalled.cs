namespace RedisScheduler.Dashboard.Tests;

/// <summary>A task whose handler runs until its <see cref="StallGate"/> opens (or the app stops), so it is running while a test looks.</summary>
[TaskType("stalled")]
public sealed record Stalled(string Secret);

/// <summary>Tells a test when a <see cref="Stalled"/> handler started, and lets it end.</summary>
public sealed class StallGate
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed class StalledHandler(StallGate gate) : TaskHandler<Stalled>
{
    protected override async Task HandleAsync(Stalled payload, TaskContext context, CancellationToken cancellationToken)
    {
        gate.Started.TrySetResult();
        await gate.Open.Task.WaitAsync(cancellationToken);
    }
}
