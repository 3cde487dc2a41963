namespace RedisScheduler.ChaosWorker;

/// <summary>Reports every start and success on stdout, works as long as the payload says, and fails as it asks.</summary>
internal sealed class ChaosHandler(TimeProvider time) : TaskHandler<ChaosTask>
{
    protected override async Task HandleAsync(ChaosTask payload, TaskContext context, CancellationToken cancellationToken)
    {
        var run = $"{context.TaskId} {context.Attempt} {time.GetUtcNow().ToUnixTimeMilliseconds()} {context.DueAt.ToUnixTimeMilliseconds()} {Environment.ProcessId}";
        ChaosOutput.WriteLine("start " + run);
        await Task.Delay(payload.WorkMs, cancellationToken);
        if (payload.Permanent)
        {
            throw new PermanentTaskFailureException($"Chaos task {payload.Number} can never succeed.");
        }

        if (context.Attempt <= payload.FailFirst)
        {
            throw new InvalidOperationException($"Chaos task {payload.Number} fails attempt {context.Attempt} of its first {payload.FailFirst} on purpose.");
        }

        ChaosOutput.WriteLine("done " + run);
    }
}
