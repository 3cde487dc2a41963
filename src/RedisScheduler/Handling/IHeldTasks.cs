namespace RedisScheduler.Handling;

/// <summary>
/// The tasks a worker holds now, as the registry's heartbeat reports them: how many, and the ids of
/// some of them. Read from the heartbeat's thread while the worker adds and removes tasks.
/// </summary>
internal interface IHeldTasks
{
    /// <summary>How many tasks are held now: a plain read, as the heartbeat and the liveness check take it often.</summary>
    int Count { get; }

    /// <summary>
    /// Adds the public ids of tasks held now to <paramref name="ids"/> until it holds
    /// <paramref name="max"/> (a sample, in no particular order, when more are held).
    /// </summary>
    void AddTaskIds(List<string> ids, int max);
}
