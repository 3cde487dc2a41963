namespace RedisScheduler.Handling;

/// <summary>
/// A claimed task while its handler runs: the delivery, the token that stops the handler, and who
/// finishes it. Exactly one of the handler's own outcome or a hand-back (lost lease, shutdown
/// overrun) wins, so a task whose handler succeeded is never also handed back.
/// </summary>
internal sealed class RunningTask(ClaimedTask task) : IDisposable
{
    private const int Running = 0;
    private const int Finishing = 1;
    private const int Abandoned = 2;

    // Not linked to the host's stopping token: the worker cancels every running task once when it
    // stops (Stop), instead of each task registering with, and leaving, the shared token.
    private readonly CancellationTokenSource cancellation = new();
    private int state;

    public ClaimedTask Task { get; } = task;

    /// <summary>
    /// How late the handler started after this attempt's due time, in whole ms; <see langword="null"/>
    /// for a delivery made by hand. Counted in the minute's activity bucket when the task ends.
    /// </summary>
    public long? LatenessMs { get; set; }

    /// <summary>Whether the task still holds its worker's concurrency slot while its acknowledgement travels (see TaskWorker).</summary>
    public bool HoldsSlotUntilAcknowledged { get; set; }

    public CancellationToken Token => cancellation.Token;

    /// <summary>Whether the task was handed back (lost lease, shutdown overrun): its handler must not start or report.</summary>
    public bool IsAbandoned => Volatile.Read(ref state) == Abandoned;

    /// <summary>The handler returned: its outcome is reported, unless the task was abandoned first.</summary>
    /// <returns><see langword="false"/> when the task was abandoned: this worker must not finish it.</returns>
    public bool TryFinish() => Interlocked.CompareExchange(ref state, Finishing, Running) == Running;

    /// <summary>The host is stopping: the handler's token fires, and its outcome still counts.</summary>
    public void Stop() => Cancel();

    /// <summary>
    /// The lease is lost, or shutdown hands the task back: stop the handler, whose outcome no longer counts.
    /// </summary>
    /// <returns><see langword="false"/> when the handler had already returned and its outcome is being reported.</returns>
    public bool TryAbandon()
    {
        if (Interlocked.CompareExchange(ref state, Abandoned, Running) != Running)
        {
            return false;
        }

        Cancel();
        return true;
    }

    public void Dispose() => cancellation.Dispose();

    private void Cancel()
    {
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The handler finished in the meantime.
        }
        catch (AggregateException)
        {
            // A callback the handler registered on its token threw. Every callback still ran, and
            // the caller may be stopping other tasks in a loop: that must go on.
        }
    }
}
