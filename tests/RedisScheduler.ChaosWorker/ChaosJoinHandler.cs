namespace RedisScheduler.ChaosWorker;

/// <summary>
/// Reports every start and success of a continuation like <see cref="ChaosHandler"/>, plus how
/// Redis says its parents ended: "parents &lt;task id&gt; &lt;attempt&gt; &lt;pid&gt; &lt;parent&gt;=&lt;outcome&gt;,...".
/// </summary>
internal sealed class ChaosJoinHandler(TimeProvider time) : TaskHandler<ChaosJoin>
{
    protected override async Task HandleAsync(ChaosJoin payload, TaskContext context, CancellationToken cancellationToken)
    {
        var run = $"{context.TaskId} {context.Attempt} {time.GetUtcNow().ToUnixTimeMilliseconds()} {context.DueAt.ToUnixTimeMilliseconds()} {Environment.ProcessId}";
        ChaosOutput.WriteLine("start " + run);
        var parents = await context.GetParentsAsync(cancellationToken);
        ChaosOutput.WriteLine($"parents {context.TaskId} {context.Attempt} {Environment.ProcessId} {string.Join(',', parents.Select(p => $"{p.TaskId}={p.Outcome}"))}");
        await Task.Delay(payload.Number % 20, cancellationToken);
        ChaosOutput.WriteLine("done " + run);
    }
}
