using System.Collections.Concurrent;
using RedisScheduler.Storage;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>One handler start, as the handler saw it.</summary>
public sealed record HandledTask(string Host, ProbeTask Payload, string TaskId, int Attempt, DateTimeOffset DueAt, DateTimeOffset StartedAt);

/// <summary>Records every handler start of the hosts it is given to, and lets a test await a count of them.</summary>
public sealed class TaskProbe
{
    private readonly ConcurrentQueue<HandledTask> handled = new();
    private readonly object gate = new();
    private readonly List<(int Count, TaskCompletionSource Done)> waiters = [];

    public IReadOnlyList<HandledTask> Handled => [.. handled];

    public TaskCompletionSource<HandledTask> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when a handler saw its cancellation token fire.</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Tasks with <see cref="ProbeBehavior.FailWhileSwitchOn"/> fail while this is true.</summary>
    public bool FailSwitch { get; set; } = true;

    /// <summary>Released by the test to let <see cref="ProbeBehavior.IgnoreCancellation"/> handlers end.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int running;
    private int maxRunning;

    /// <summary>The most <see cref="ProbeBehavior.HoldBriefly"/> handlers that ran at once, across every host sharing this probe.</summary>
    public int MaxRunning => Volatile.Read(ref maxRunning);

    public void Enter()
    {
        var now = Interlocked.Increment(ref running);
        int seen;
        while ((seen = Volatile.Read(ref maxRunning)) < now && Interlocked.CompareExchange(ref maxRunning, now, seen) != seen)
        {
        }
    }

    public void Exit() => Interlocked.Decrement(ref running);

    public void Record(HandledTask task)
    {
        handled.Enqueue(task);
        Started.TrySetResult(task);
        lock (gate)
        {
            foreach (var waiter in waiters.Where(w => handled.Count >= w.Count))
            {
                waiter.Done.TrySetResult();
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> starts are recorded; fails clearly after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(int count, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (handled.Count >= count)
            {
                return;
            }

            waiters.Add((count, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Handlers started {handled.Count} tasks within {timeout}, expected {count}.");
        }
    }
}
