namespace RedisScheduler.Handling;

/// <summary>
/// Wakes an idle worker when an earlier task is scheduled. A signal that arrives while the worker is
/// busy is kept until its next wait, so no wake-up is lost between a claim and the sleep after it.
/// </summary>
internal sealed class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set: one pending wake-up is as good as many.
        }
    }

    /// <returns><see langword="true"/> if woken by a signal, <see langword="false"/> on timeout.</returns>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => semaphore.Dispose();
}
