using System.Collections.Concurrent;

namespace RedisScheduler.Sample;

/// <summary>
/// Every task start in this process. Both worker hosts share this one object, which is what lets
/// the sample check that each task ran exactly once across the two instances.
/// </summary>
internal sealed class RunLog
{
    private readonly ConcurrentQueue<TaskRun> runs = new();

    public IReadOnlyCollection<TaskRun> Runs => runs;

    public void Add(TaskRun run) => runs.Enqueue(run);

    public bool HasRun(string taskId) => runs.Any(r => r.TaskId == taskId);
}
