namespace RedisScheduler.Handling;

/// <summary>A claimed task while its handler runs: the delivery, and the token that stops the handler when its lease is lost or the host stops.</summary>
internal sealed class RunningTask(ClaimedTask task, CancellationToken stoppingToken) : IDisposable
{
    private readonly CancellationTokenSource cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
    private int leaseLost;

    public ClaimedTask Task { get; } = task;

    public CancellationToken Token => cancellation.Token;

    /// <summary>Whether another worker may now hold the task: this worker must not finish it.</summary>
    public bool LeaseLost => Volatile.Read(ref leaseLost) == 1;

    /// <summary>The lease ran out or the task was handed back: stop the handler; its result no longer counts.</summary>
    public void LoseLease()
    {
        if (Interlocked.Exchange(ref leaseLost, 1) == 0)
        {
            try
            {
                cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The handler finished in the meantime.
            }
        }
    }

    public void Dispose() => cancellation.Dispose();
}
