using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

/// <summary>
/// The dashboard's chart data: the due-time timeline counted from the schedule, and the per-minute
/// activity buckets the ending scripts keep in Redis, on one server and on the cluster.
/// </summary>
[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class ChartDataTests(string redis)
{
    [Test]
    public async Task GetDueTimeline_TasksSpreadOverTheDay_AreCountedInTheirMinuteAndHour()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var monitor = scope.CreateMonitor();
        // A fixed start, an hour ahead, so the buckets do not move while the test runs.
        var from = DateTimeOffset.FromUnixTimeMilliseconds((DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds() / 3_600_000) * 3_600_000);
        await scheduler.ScheduleTaskAsync(from.AddMinutes(-30), new ProbeTask(1)); // due before the first minute: counted in it
        await scheduler.ScheduleTaskAsync(from.AddSeconds(59.999), new ProbeTask(2));
        await scheduler.ScheduleTaskAsync(from.AddMinutes(1), new ProbeTask(3));
        await scheduler.ScheduleTasksAsync(Enumerable.Range(0, 5).Select(i => (from.AddMinutes(59).AddSeconds(i), new ProbeTask(10 + i))));
        await scheduler.ScheduleTaskAsync(from.AddHours(5).AddMinutes(10), new ProbeTask(4));
        await scheduler.ScheduleTaskAsync(from.AddHours(24), new ProbeTask(5)); // past the last hour

        var timeline = await monitor.GetDueTimelineAsync("probe", from);

        var minutes = new long[60];
        (minutes[0], minutes[1], minutes[59]) = (2, 1, 5);
        var hours = new long[24];
        (hours[0], hours[5]) = (8, 1);
        Assert.Multiple(() =>
        {
            Assert.That(timeline.FirstMinute, Is.EqualTo(from));
            Assert.That(timeline.FirstHour, Is.EqualTo(from));
            Assert.That(timeline.Minutes, Is.EqualTo(minutes));
            Assert.That(timeline.Hours, Is.EqualTo(hours));
            Assert.That(timeline.Now, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromSeconds(5)), "the server's clock");
        });
    }

    [Test]
    public async Task GetDueTimeline_WithoutAStart_BeginsAtTheServersCurrentMinuteAndHour()
    {
        await using var scope = new TestScope(redis);
        await scope.CreateScheduler().ScheduleTaskAsync(TimeSpan.FromMinutes(90), new ProbeTask(1));

        var timeline = await scope.CreateMonitor().GetDueTimelineAsync("probe");

        Assert.Multiple(() =>
        {
            Assert.That(timeline.FirstMinute, Is.EqualTo(Truncate(timeline.Now, TimeSpan.FromMinutes(1))));
            Assert.That(timeline.FirstHour, Is.EqualTo(Truncate(timeline.Now, TimeSpan.FromHours(1))));
            Assert.That(timeline.Minutes.Sum(), Is.Zero, "due in 90 minutes: past the minutes");
            Assert.That(timeline.Hours.Sum(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task GetActivity_AfterWorkersFinishedTasks_CountsSuccessesFailuresAndLateness()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        await scheduler.ScheduleTasksAsync(Enumerable.Range(0, 20).Select(i => (DateTimeOffset.UtcNow, new ProbeTask(i))));
        await scheduler.EnqueueTaskAsync(new ProbeTask(100, ProbeBehavior.FailOnFirstAttempt));
        await scheduler.EnqueueTaskAsync(new ProbeTask(101, ProbeBehavior.FailPermanently));
        // Not a wait for an event: the tasks are made late on purpose, the worker starting after their due time.
        await Task.Delay(300);
        var (_, probe) = await scope.StartWorkerAsync("A", handler: h => h.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(10), JitterFactor = 0 });
        await probe.WaitForAsync(23, TimeSpan.FromSeconds(30));
        var monitor = scope.CreateMonitor();

        // The last acknowledgement may still be on its way when the handler has returned.
        var activity = await monitor.GetActivityAsync("probe");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (activity.Minutes.Sum(m => m.Succeeded) < 21 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            activity = await monitor.GetActivityAsync("probe");
        }

        var busy = activity.Minutes.Where(m => m.Succeeded + m.Failed > 0).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(activity.Minutes, Has.Count.EqualTo(60));
            Assert.That(activity.Minutes[^1].Minute, Is.EqualTo(Truncate(activity.Now, TimeSpan.FromMinutes(1))), "the last is the current minute");
            Assert.That(activity.Minutes.Select(m => m.Minute), Is.Ordered, "oldest first");
            Assert.That(activity.Minutes.Sum(m => m.Succeeded), Is.EqualTo(21), "20 and the retried one");
            Assert.That(activity.Minutes.Sum(m => m.Failed), Is.EqualTo(2), "one retried, one dead-lettered");
            Assert.That(busy.Max(m => m.LatenessMax), Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300)), "due 300 ms before a worker started");
            Assert.That(busy.Select(m => m.LatenessAverage), Has.All.Not.Null);
            Assert.That(busy.Max(m => m.LatenessAverage), Is.LessThanOrEqualTo(busy.Max(m => m.LatenessMax!.Value)));
        });
    }

    [Test]
    public async Task ActivityBuckets_ExpireADayAfterTheirLastChange()
    {
        await using var scope = new TestScope(redis);
        var (_, probe) = await scope.StartWorkerAsync("A");
        await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1));
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));
        var activity = await WaitForActivityAsync(scope);

        var hour = activity.Minutes.Last(m => m.Succeeded > 0).Minute.ToUnixTimeMilliseconds() / 3_600_000;
        var ttl = await scope.Database.KeyTimeToLiveAsync(scope.Keys().ActivityOf(hour));

        Assert.That(ttl, Is.EqualTo(ActivityBucket.Retention).Within(TimeSpan.FromMinutes(1)));
    }

    [Test]
    public async Task GetActivity_NothingFinished_SixtyEmptyMinutes()
    {
        await using var scope = new TestScope(redis);

        var activity = await scope.CreateMonitor().GetActivityAsync("probe");

        Assert.That(activity.Minutes.Select(m => (m.Succeeded, m.Failed, m.LatenessAverage, m.LatenessMax)), Has.All.EqualTo((0L, 0L, (TimeSpan?)null, (TimeSpan?)null)));
        Assert.That(activity.Minutes, Has.Count.EqualTo(60));
    }

    private static async Task<TaskActivity> WaitForActivityAsync(TestScope scope)
    {
        var monitor = scope.CreateMonitor();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var activity = await monitor.GetActivityAsync("probe");
            if (activity.Minutes.Any(m => m.Succeeded > 0) || DateTime.UtcNow > deadline)
            {
                return activity;
            }

            await Task.Delay(20);
        }
    }

    private static DateTimeOffset Truncate(DateTimeOffset time, TimeSpan unit) => new(time.UtcTicks - (time.UtcTicks % unit.Ticks), TimeSpan.Zero);
}
