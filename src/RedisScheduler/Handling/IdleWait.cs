using RedisScheduler.Common;

namespace RedisScheduler.Handling;

/// <summary>
/// How long an idle worker sleeps and how it sleeps: until the next due time or lease expiry by the
/// server's clock, or until its <see cref="WakeSignal"/> says an earlier task was scheduled, never
/// longer than <see cref="RedisSchedulerOptions.MaxIdleDelay"/>.
/// </summary>
internal sealed class IdleWait(WakeSignal signal, TimeSpan maxIdleDelay, TimeProvider time)
{
    /// <summary>
    /// How much of a sleep is waited out on the high-resolution clock instead of a timer: .NET's
    /// timers count on the coarse tick count, which moves in steps of 4 ms on a Linux kernel built
    /// with HZ=250, so a timer fires up to that much early or late.
    /// </summary>
    internal static readonly TimeSpan FineWait = TimeSpan.FromMilliseconds(5);

    /// <summary>The last part of a sleep, waited out spinning: a thread's sleep overshoots a millisecond by 0.1 to 0.2 ms.</summary>
    private static readonly TimeSpan SpinWaitPart = TimeSpan.FromMilliseconds(1.25);

    /// <summary>
    /// How long to sleep after a claim that took no task: nothing when recurring occurrences just
    /// became tasks (claim again at once), else until the next due time to the microsecond of the
    /// server's clock, at most <paramref name="maxIdleDelay"/> (also when nothing is pending).
    /// </summary>
    public static TimeSpan DelayAfter(ClaimResult claim, TimeSpan maxIdleDelay)
        => claim.Occurrences.Count > 0 ? TimeSpan.Zero
            : claim.NextWakeMs < 0 ? maxIdleDelay
            : TimeSpan.FromMicroseconds(Math.Clamp((claim.NextWakeMs * 1000) - claim.NowMicroseconds, 0, (long)maxIdleDelay.TotalMicroseconds));

    /// <summary>
    /// Sleeps for <paramref name="delay"/> or until a wake-up. Timers are coarse (see
    /// <see cref="FineWait"/>), so the timer is set <see cref="FineWait"/> short and the rest is
    /// waited out on the high-resolution clock: in one-millisecond thread sleeps, looking for a
    /// wake-up between them, then spinning for the last <see cref="SpinWaitPart"/>. A task then
    /// starts well under a millisecond after it is due, at the cost of a pool thread held for a few
    /// milliseconds per wake-up, about half a millisecond of CPU, and no extra Redis call.
    /// </summary>
    public async Task SleepAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        if (delay > FineWait && await signal.WaitAsync(delay - FineWait, time, stoppingToken).ConfigureAwait(false))
        {
            return;
        }

        // The fallback sleep (nothing due) needs no precision.
        if (delay >= maxIdleDelay)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var left = delay - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero || signal.TryTake())
            {
                return;
            }

            if (left > SpinWaitPart)
            {
                // A thread's sleep runs on the high-resolution clock, unlike a timer.
                Thread.Sleep(1);
            }
            else
            {
                Thread.SpinWait(64);
            }
        }
    }
}
