namespace RedisScheduler;

/// <summary>How far a batch (or any continuation's set of parents) has come, from <see cref="ITaskScheduler.GetBatchProgressAsync"/>.</summary>
/// <param name="BatchId">The batch's id: its completion task's id.</param>
/// <param name="Total">How many tasks the batch has.</param>
/// <param name="Succeeded">How many of them succeeded.</param>
/// <param name="Failed">How many were dead-lettered or cancelled.</param>
public sealed record BatchProgress(string BatchId, int Total, int Succeeded, int Failed)
{
    /// <summary>How many have not ended yet (scheduled, ready, running, or waiting for a retry).</summary>
    public int Pending => Total - Succeeded - Failed;

    /// <summary>Whether every task has ended, so the completion task has been released (it is ready, running, waiting for a retry or dead-lettered).</summary>
    public bool IsCompleted => Pending == 0;
}
