using System.Diagnostics;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>
/// How long a work item waited for a thread-pool thread, sampled every 100 ms from a thread of its own.
/// StackExchange.Redis's Sentinel support answers a lost connection with synchronous calls on pool
/// threads (<c>SENTINEL GET-MASTER-ADDR-BY-NAME</c> through PLINQ, from a 1 s timer) whose replies the
/// thread-pool socket manager also reads on pool threads; on a busy machine the pool then stays short
/// of threads for seconds and every reply waits, the workers' included. The failover tests print the
/// longest wait so a slow resume can be told apart from a slow failover.
/// </summary>
public sealed class ThreadPoolDelayWitness : IDisposable
{
    private readonly Thread sampler;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly object gate = new();
    private readonly List<(TimeSpan At, TimeSpan Waited)> samples = [];
    private volatile bool stopped;

    public ThreadPoolDelayWitness()
    {
        sampler = new Thread(Sample) { IsBackground = true, Name = "thread-pool delay witness" };
        sampler.Start();
    }

    /// <summary>The longest wait for a pool thread that started after <paramref name="from"/> on this witness's clock, and when it started.</summary>
    public (TimeSpan At, TimeSpan Waited) LongestWaitSince(TimeSpan from)
    {
        lock (gate)
        {
            return samples.Where(s => s.At >= from).DefaultIfEmpty().MaxBy(s => s.Waited);
        }
    }

    /// <summary>The time on this witness's clock, to mark an event (the kill) against the samples.</summary>
    public TimeSpan Now => clock.Elapsed;

    public void Dispose()
    {
        stopped = true;
        sampler.Join();
    }

    private void Sample()
    {
        using var ran = new ManualResetEventSlim();
        while (!stopped)
        {
            ran.Reset();
            var queuedAt = clock.Elapsed;
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Set(), ran, preferLocal: false);
            // Waits however long it takes: the wait is the figure. Past 30 s the pool is not starved but gone.
            ran.Wait(TimeSpan.FromSeconds(30));
            lock (gate)
            {
                samples.Add((queuedAt, clock.Elapsed - queuedAt));
            }

            Thread.Sleep(100);
        }
    }
}
