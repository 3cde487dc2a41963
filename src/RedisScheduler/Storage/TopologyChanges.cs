using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// Tells the library's retry loops that the client has learnt something new about the servers: it
/// re-read the topology (<see cref="IConnectionMultiplexer.ConfigurationChanged"/>,
/// <see cref="IConnectionMultiplexer.ConfigurationChangedBroadcast"/>) or reconnected to a server
/// (<see cref="IConnectionMultiplexer.ConnectionRestored"/>). After a Sentinel failover, the client
/// reconnects to the promoted replica (the sentinels close its clients as they promote it) and reads
/// its new role in that handshake; a worker whose back-off had grown to 1 s waited out the rest of
/// it before trying again (docs/scaling.md, "Failover"): a change ends such a wait at once.
/// Each change advances a generation. A retry loop keeps the one it last acted on, so a change that
/// came between its failed call and the start of its wait still ends the wait (no lost wake-up), and
/// each change ends at most one wait of each loop (no busy loop while the servers stay down).
/// Lost connections are only counted (<see cref="ConnectionsLost"/>), they end no wait: a call sent
/// after one checks its master first (Handling/MasterReachability.cs).
/// </summary>
internal sealed class TopologyChanges : IDisposable
{
    private readonly object gate = new();
    private long generation;
    private long connectionsLost;
    private TaskCompletionSource next = NewSignal();
    private IConnectionMultiplexer? watched;

    /// <summary>
    /// Raised after each change, on the thread that reported it: idle workers claim once more, since a
    /// wake-up published while their subscription was moving to another server is lost.
    /// </summary>
    public event Action? Changed;

    /// <summary>Gets the number of changes so far; a retry loop compares it with the one it last acted on.</summary>
    public long Generation => Interlocked.Read(ref generation);

    /// <summary>Gets the number of connections to a server the client has lost so far.</summary>
    public long ConnectionsLost => Interlocked.Read(ref connectionsLost);

    /// <summary>Follows <paramref name="multiplexer"/>'s events until disposed; the first connection is the only one watched.</summary>
    public void Watch(IConnectionMultiplexer multiplexer)
    {
        lock (gate)
        {
            if (watched is not null)
            {
                return;
            }

            watched = multiplexer;
        }

        multiplexer.ConfigurationChanged += OnEndPointChanged;
        multiplexer.ConfigurationChangedBroadcast += OnEndPointChanged;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        multiplexer.ConnectionFailed += OnConnectionFailed;
    }

    /// <summary>Records a change and ends the waits under way.</summary>
    public void Signal()
    {
        // The generation first: a wait that takes the signal before this swap sees the new generation,
        // one that took it earlier is woken by it.
        Interlocked.Increment(ref generation);
        Interlocked.Exchange(ref next, NewSignal()).TrySetResult();
        Changed?.Invoke();
    }

    /// <summary>
    /// Waits <paramref name="delay"/>, or less if a change newer than <paramref name="seen"/> has come or comes meanwhile.
    /// </summary>
    /// <param name="delay">The back-off.</param>
    /// <param name="seen">The generation the caller last acted on (<see cref="Generation"/> at its last success or early retry).</param>
    /// <param name="time">The clock of the back-off.</param>
    /// <param name="cancellationToken">Ends the wait with an <see cref="OperationCanceledException"/>.</param>
    /// <returns><see langword="true"/> if a change ended the wait early.</returns>
    public async Task<bool> DelayAsync(TimeSpan delay, long seen, TimeProvider time, CancellationToken cancellationToken)
    {
        var changed = Volatile.Read(ref next).Task;
        if (Generation != seen)
        {
            return true;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var elapsed = Task.Delay(delay, time, timer.Token);
        if (await Task.WhenAny(changed, elapsed).ConfigureAwait(false) == changed)
        {
            await timer.CancelAsync().ConfigureAwait(false);
            return true;
        }

        // Throws if the caller's token ended the wait.
        await elapsed.ConfigureAwait(false);
        return false;
    }

    public void Dispose()
    {
        IConnectionMultiplexer? multiplexer;
        lock (gate)
        {
            multiplexer = watched;
        }

        if (multiplexer is not null)
        {
            multiplexer.ConfigurationChanged -= OnEndPointChanged;
            multiplexer.ConfigurationChangedBroadcast -= OnEndPointChanged;
            multiplexer.ConnectionRestored -= OnConnectionRestored;
            multiplexer.ConnectionFailed -= OnConnectionFailed;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnEndPointChanged(object? sender, EndPointEventArgs e) => Signal();

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => Signal();

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) => Interlocked.Increment(ref connectionsLost);
}
