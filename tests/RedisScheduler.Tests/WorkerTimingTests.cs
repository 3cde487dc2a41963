using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using RedisScheduler.Common;
using RedisScheduler.Handling;
using RedisScheduler.Recurring;

namespace RedisScheduler.Tests;

/// <summary>The worker's time logic, on a <see cref="FakeTimeProvider"/>: no Redis and no waiting.</summary>
public sealed class WorkerTimingTests
{
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(1);

    [Test]
    public void Backoff_AfterEachFailure_DoublesUpToTheCap_AndResetStartsAgain()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));

        var delays = Enumerable.Range(0, 9).Select(_ => backoff.Next().TotalMilliseconds).ToArray();
        backoff.Reset();

        Assert.That(delays, Is.EqualTo(new double[] { 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000 }));
        Assert.That(backoff.Next(), Is.EqualTo(TimeSpan.FromMilliseconds(100)));
    }

    [Test]
    public void Backoff_ManyFailures_NeverOverflowsPastTheCap()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1));

        for (var i = 0; i < 10_000; i++)
        {
            backoff.Next();
        }

        Assert.That(backoff.Next(), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void IdleDelay_NextDueIn1500Microseconds_SleepsExactlyThat()
    {
        // The server's clock reads 1,000,000,000.25 ms; the next task is due at 1,000,000,002 ms.
        var claim = Claim(nowMicroseconds: 1_000_000_000_250, nextWakeMs: 1_000_000_002);

        Assert.That(IdleWait.DelayAfter(claim, MaxIdle), Is.EqualTo(TimeSpan.FromMicroseconds(1_750)));
    }

    [Test]
    public void IdleDelay_NothingPending_SleepsTheMaximum()
        => Assert.That(IdleWait.DelayAfter(Claim(nowMicroseconds: 5_000_000, nextWakeMs: -1), MaxIdle), Is.EqualTo(MaxIdle));

    [Test]
    public void IdleDelay_NextDueFarAhead_SleepsNoLongerThanTheMaximum()
        => Assert.That(IdleWait.DelayAfter(Claim(nowMicroseconds: 5_000_000, nextWakeMs: 3_600_000), MaxIdle), Is.EqualTo(MaxIdle));

    [Test]
    public void IdleDelay_NextDueAlreadyPassed_DoesNotSleep()
        => Assert.That(IdleWait.DelayAfter(Claim(nowMicroseconds: 5_000_000, nextWakeMs: 4_000), MaxIdle), Is.EqualTo(TimeSpan.Zero));

    [Test]
    public void IdleDelay_RecurringOccurrencesBecameTasks_ClaimsAgainAtOnce()
    {
        var claim = Claim(nowMicroseconds: 5_000_000, nextWakeMs: -1) with { Occurrences = [new DueOccurrence("nightly", 4_000, "{}")] };

        Assert.That(IdleWait.DelayAfter(claim, MaxIdle), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void RetentionSweep_FirstClaimSweeps_ThenNotUntilAMinuteHasPassed()
    {
        var time = new FakeTimeProvider();
        var sweeps = new RetentionSweepTimer(TimeSpan.FromDays(7), TimeSpan.FromHours(1), time);

        var first = sweeps.Due();
        time.Advance(TimeSpan.FromSeconds(59));
        var early = sweeps.Due();
        time.Advance(TimeSpan.FromSeconds(1));
        var onTime = sweeps.Due();

        Assert.That(first, Is.EqualTo(((TimeSpan?)TimeSpan.FromDays(7), (TimeSpan?)TimeSpan.FromHours(1))));
        Assert.That(early, Is.EqualTo(((TimeSpan?)null, (TimeSpan?)null)));
        Assert.That(onTime, Is.EqualTo(first));
    }

    [Test]
    public void RetentionSweep_RetentionShorterThanAMinute_SweepsThatOften()
    {
        var time = new FakeTimeProvider();
        var sweeps = new RetentionSweepTimer(null, TimeSpan.FromSeconds(10), time);

        sweeps.Due();
        time.Advance(TimeSpan.FromSeconds(9));
        var early = sweeps.Due();
        time.Advance(TimeSpan.FromSeconds(1));
        var onTime = sweeps.Due();

        Assert.That(early.Results, Is.Null);
        Assert.That(onTime, Is.EqualTo(((TimeSpan?)null, (TimeSpan?)TimeSpan.FromSeconds(10))));
    }

    [Test]
    public async Task ConcurrencySlots_WithABacklog_GatherHalfTheSlotsBeforeClaiming()
    {
        var time = new FakeTimeProvider();
        using var slots = new ConcurrencySlots(8, time);
        var all = await slots.TakeAsync(backlog: false, CancellationToken.None);
        slots.GiveBack(1);

        // One slot is free: with a backlog the claim waits for a second one (half of 8 is 4).
        var gathering = slots.TakeAsync(backlog: true, CancellationToken.None);
        var waitedForMore = !gathering.IsCompleted;
        slots.GiveBack(3);
        var gathered = await gathering;

        Assert.That(all, Is.EqualTo(8));
        Assert.That(waitedForMore, Is.True);
        Assert.That(gathered, Is.EqualTo(4));
    }

    [Test]
    public async Task ConcurrencySlots_WithABacklog_ClaimWithWhatIsFreeWhenTheGatheringTimeRunsOut()
    {
        var time = new FakeTimeProvider();
        using var slots = new ConcurrencySlots(8, time);
        await slots.TakeAsync(backlog: false, CancellationToken.None);
        slots.GiveBack(2);

        var gathering = slots.TakeAsync(backlog: true, CancellationToken.None);
        var waitedForMore = !gathering.IsCompleted;
        time.Advance(ConcurrencySlots.BacklogGatherTime);

        Assert.That(waitedForMore, Is.True);
        Assert.That(await gathering.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(2));
    }

    [Test]
    public async Task ConcurrencySlots_AcknowledgementsHeldUp_TasksKeepTheirSlotsPastFourPerSlot()
    {
        using var slots = new ConcurrencySlots(2, new FakeTimeProvider());
        await slots.TakeAsync(backlog: false, CancellationToken.None);

        var givenBack = Enumerable.Range(0, 10).Select(_ =>
        {
            var returned = slots.TryGiveBackBeforeAck();
            if (returned)
            {
                // Taken again by the next claim at once, as a busy worker does.
                slots.TakeAsync(backlog: false, CancellationToken.None).GetAwaiter().GetResult();
            }

            return returned;
        }).Count(returned => returned);
        slots.AcknowledgementLanded(heldSlot: false);

        Assert.That(givenBack, Is.EqualTo(8));
        Assert.That(slots.TryGiveBackBeforeAck(), Is.True, "an acknowledgement that landed makes room for one more");
    }

    [Test]
    public void LeaseRenewer_RenewsEveryThirdOfALease()
    {
        var renewer = new LeaseRenewer(new Storage.TaskTypeKeys("p", "t"), new InFlightTasks(), null!, TimeSpan.FromSeconds(30), new FakeTimeProvider(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        Assert.That(renewer.Period, Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    private static ClaimResult Claim(long nowMicroseconds, long nextWakeMs) => new([], nowMicroseconds / 1000, nowMicroseconds, nextWakeMs, []);
}
