namespace RedisScheduler.LoadTest.Systems;

/// <summary>
/// An application that starves the .NET thread pool, for the socket-manager risk experiment
/// (<c>--set redisscheduler:block-pool=N</c>): N work items that each block their pool thread for
/// 100 ms at a time (<see cref="Thread.Sleep(int)"/>, as sync-over-async I/O does) and queue
/// themselves again, so N pool threads are always taken. The pool adds threads when it sees its queue
/// stall, slowly (about one or two a second past its minimum), which is what the experiment measures.
/// </summary>
internal sealed class PoolBlocker : IDisposable
{
    private volatile bool stopped;

    public PoolBlocker(int threads)
    {
        for (var i = 0; i < threads; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(Block, null);
        }
    }

    public static PoolBlocker? StartIfRequested(IReadOnlyDictionary<string, string> settings)
        => settings.TryGetValue("block-pool", out var value) ? new PoolBlocker(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)) : null;

    public void Dispose() => stopped = true;

    private void Block(object? state)
    {
        if (stopped)
        {
            return;
        }

        Thread.Sleep(100);
        ThreadPool.UnsafeQueueUserWorkItem(Block, null);
    }
}
