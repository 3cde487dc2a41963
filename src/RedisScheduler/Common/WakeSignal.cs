namespace RedisScheduler.Common;

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

    /// <summary>Takes a pending signal without waiting.</summary>
    /// <returns><see langword="true"/> if a signal was pending.</returns>
    public bool TryTake() => semaphore.Wait(0, CancellationToken.None);

    /// <returns><see langword="true"/> if woken by a signal, <see langword="false"/> on timeout.</returns>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        try
        {
            await semaphore.WaitAsync(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => semaphore.Dispose();
}
