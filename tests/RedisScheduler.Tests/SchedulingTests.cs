using NUnit.Framework;
using RedisScheduler.Dispatching;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class SchedulingTests(string redis)
{
    [Test]
    public async Task ScheduleTaskAsync_FutureDueTime_StoresScheduledTaskWithPayload()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var dueAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds());

        var id = await scheduler.ScheduleTaskAsync(dueAt, new ProbeTask(42));

        var task = await scheduler.GetTaskAsync(id);
        Assert.That(task, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(id, Does.StartWith("probe/"));
            Assert.That(task!.State, Is.EqualTo(TaskState.Scheduled));
            Assert.That(task.TaskType, Is.EqualTo("probe"));
            Assert.That(task.Attempt, Is.Zero);
            Assert.That(task.DueAt, Is.EqualTo(dueAt));
            Assert.That(task.PayloadJson, Does.Contain("\"number\":42"));
        });
        Assert.That(await scope.Database.SortedSetScoreAsync(scope.Keys().Due, TestScope.Parse(id).LocalId), Is.EqualTo(dueAt.ToUnixTimeMilliseconds()));
    }

    [Test]
    public async Task ScheduleTaskAsync_DueTimeWithinAMillisecond_IsRoundedUpNeverDown()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var wholeMs = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds());

        var id = await scheduler.ScheduleTaskAsync(wholeMs.AddTicks(1), new ProbeTask(1));
        var batch = await scheduler.ScheduleTasksAsync(new[] { (wholeMs.AddTicks(9_999), new ProbeTask(2)) });

        Assert.That((await scheduler.GetTaskAsync(id))!.DueAt, Is.EqualTo(wholeMs.AddMilliseconds(1)));
        Assert.That((await scheduler.GetTaskAsync(batch[0]))!.DueAt, Is.EqualTo(wholeMs.AddMilliseconds(1)));
    }

    [Test]
    public async Task ScheduleTaskAsync_DueTimeInPast_IsDueNowByServerClock()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();

        var id = await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddHours(-1), new ProbeTask(1));

        var task = await scheduler.GetTaskAsync(id);
        Assert.That(task!.DueAt, Is.EqualTo(task.ScheduledAt), "a past due time is clamped to the moment it was scheduled");
    }

    [Test]
    public async Task ScheduleTaskAsync_Delay_IsMeasuredFromServerClock()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();

        var delayed = await scheduler.GetTaskAsync(await scheduler.ScheduleTaskAsync(TimeSpan.FromSeconds(90), new ProbeTask(1)));
        var now = await scheduler.GetTaskAsync(await scheduler.EnqueueTaskAsync(new ProbeTask(2)));

        Assert.Multiple(() =>
        {
            Assert.That(delayed!.DueAt - delayed.ScheduledAt, Is.EqualTo(TimeSpan.FromSeconds(90)));
            Assert.That(now!.DueAt, Is.EqualTo(now.ScheduledAt));
        });
    }

    [Test]
    public async Task ScheduleTask_UnixSeconds_StoresDueTimeInMilliseconds()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var timestamp = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();

        var id = scheduler.ScheduleTask(timestamp, new ProbeTask(7));

        var task = await scheduler.GetTaskAsync(id);
        Assert.That(task!.DueAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(timestamp)));
    }

    [Test]
    public async Task ScheduleTasksAsync_BatchLargerThanOneChunk_StoresAllInOrder()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var dueAt = DateTimeOffset.UtcNow.AddMinutes(5);

        var ids = await scheduler.ScheduleTasksAsync(Enumerable.Range(0, 1_234).Select(i => (dueAt.AddMilliseconds(i), new ProbeTask(i))));

        Assert.That(ids, Has.Count.EqualTo(1_234).And.Unique);
        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().Due), Is.EqualTo(1_234));
        var last = await scheduler.GetTaskAsync(ids[^1]);
        Assert.That(last!.PayloadJson, Does.Contain("1233"));
    }

    [Test]
    public async Task ScheduleTasksAsync_Empty_WritesNothing()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();

        var ids = await scheduler.ScheduleTasksAsync(Array.Empty<(DateTimeOffset, ProbeTask)>());

        Assert.That(ids, Is.Empty);
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task Dispatch_TasksDueInSameMillisecond_KeepScheduleOrder()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var dueAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        var ids = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            // 120 crosses the id lengths 1 -> 2 -> 3 digits, where plain decimal ids would sort wrongly.
            ids.Add(await scheduler.ScheduleTaskAsync(dueAt, new ProbeTask(i)));
        }

        await DueTaskDispatcher.DispatchAsync(scope.Database, scope.Keys(), 1_000);

        var ready = await scope.Database.ListRangeAsync(scope.Keys().Ready);
        Assert.That(ready.Select(v => "probe/" + v), Is.EqualTo(ids));
    }

    [Test]
    public async Task Dispatch_TasksScheduledOutOfOrder_ComeOutByDueTime()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var baseTime = DateTimeOffset.UtcNow.AddMilliseconds(300);
        var offsets = new[] { 500, 300, 700, 100, 900 };
        var idByOffset = new Dictionary<int, string>();
        foreach (var offset in offsets)
        {
            idByOffset[offset] = await scheduler.ScheduleTaskAsync(baseTime.AddMilliseconds(offset), new ProbeTask(offset));
        }

        // Dispatch once the last is due, so all five move in one batch and must come out by due time.
        var last = baseTime.AddMilliseconds(offsets.Max() + 50);
        await Task.Delay(last - DateTimeOffset.UtcNow);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var moved = 0;
        while (moved < offsets.Length && DateTime.UtcNow < deadline)
        {
            moved += (await DueTaskDispatcher.DispatchAsync(scope.Database, scope.Keys(), 1_000)).Moved;
        }

        var ready = (await scope.Database.ListRangeAsync(scope.Keys().Ready)).Select(v => "probe/" + v);
        Assert.That(ready, Is.EqualTo(offsets.Order().Select(o => idByOffset[o])));
    }

    [Test]
    public async Task Dispatch_FutureTasks_AreNotMoved()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddSeconds(30), new ProbeTask(1));

        var (moved, nextDue, now) = await DueTaskDispatcher.DispatchAsync(scope.Database, scope.Keys(), 1_000);

        Assert.Multiple(() =>
        {
            Assert.That(moved, Is.Zero);
            Assert.That(nextDue, Is.GreaterThan(now));
        });
        Assert.That(await scope.Database.ListLengthAsync(scope.Keys().Ready), Is.Zero);
    }

    [Test]
    public async Task Dispatch_FourDispatchersRacingOver10000DueTasks_MoveEachExactlyOnce()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var ids = await scheduler.ScheduleTasksAsync(Enumerable.Range(0, 10_000).Select(i => (DateTimeOffset.UtcNow.AddSeconds(-1), new ProbeTask(i))));
        var connections = Enumerable.Range(0, 4).Select(_ => ConnectionMultiplexer.Connect(scope.Configuration)).ToArray();
        try
        {
            async Task<int> DispatchUntilEmpty(IDatabase database)
            {
                var total = 0;
                while (true)
                {
                    var (moved, _, _) = await DueTaskDispatcher.DispatchAsync(database, scope.Keys(), 100);
                    if (moved == 0)
                    {
                        return total;
                    }

                    total += moved;
                }
            }

            var counts = await Task.WhenAll(connections.Select(c => DispatchUntilEmpty(c.GetDatabase())));

            var ready = (await scope.Database.ListRangeAsync(scope.Keys().Ready)).Select(v => "probe/" + v).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(counts.Sum(), Is.EqualTo(10_000));
                Assert.That(counts.Count(c => c > 0), Is.GreaterThan(1), "the dispatchers really raced");
                Assert.That(ready, Has.Count.EqualTo(10_000).And.Unique);
                Assert.That(ready, Is.EquivalentTo(ids));
            });
            Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().Due), Is.Zero);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task CancelAsync_ScheduledTask_RemovesItOnce()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddMinutes(1), new ProbeTask(1));

        Assert.That(await scheduler.CancelAsync(id), Is.True);
        Assert.That(await scheduler.CancelAsync(id), Is.False);
        Assert.That(await scheduler.GetTaskAsync(id), Is.Null);
        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().Due), Is.Zero);
    }

    [Test]
    public async Task CancelAsync_ReadyTask_RemovesItFromReadyList()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        await DueTaskDispatcher.DispatchAsync(scope.Database, scope.Keys(), 10);
        Assert.That((await scheduler.GetTaskAsync(id))!.State, Is.EqualTo(TaskState.Ready));

        Assert.That(await scheduler.CancelAsync(id), Is.True);

        Assert.That(await scope.Database.ListLengthAsync(scope.Keys().Ready), Is.Zero);
        Assert.That(await scheduler.GetTaskAsync(id), Is.Null);
    }

    [Test]
    public async Task CancelAsync_UnknownTask_ReturnsFalse()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();

        Assert.That(await scheduler.CancelAsync("probe/c123"), Is.False);
    }

    [Test]
    public async Task Schedule_AfterScriptCacheFlush_ReloadsScriptAndUsesEvalshaAgain()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        var server = scope.ServerOf(scope.Keys().Due);
        await server.ScriptFlushAsync();

        await scheduler.EnqueueTaskAsync(new ProbeTask(2));
        var evalshaBefore = EvalshaCalls(server);
        await scheduler.EnqueueTaskAsync(new ProbeTask(3));

        Assert.That(await scope.Database.SortedSetLengthAsync(scope.Keys().Due), Is.EqualTo(3));
        Assert.That(EvalshaCalls(server), Is.EqualTo(evalshaBefore + 1), "after the reload, calls go by SHA again");
    }

    [Test]
    public async Task Schedule_EarlierTaskThanAnyPending_PublishesWakeUp_LaterTaskDoesNot()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        // A message queue, not a handler: SE.Redis runs handlers concurrently, so only the queue keeps the order.
        var wakeUps = await scope.Connection.GetSubscriber().SubscribeAsync(PubSubMode.Channel(scope.Connection, scope.Keys().WakeChannel));
        var first = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds());

        await scheduler.ScheduleTaskAsync(first, new ProbeTask(1));
        await scheduler.ScheduleTaskAsync(first.AddMinutes(1), new ProbeTask(2));
        await scheduler.ScheduleTaskAsync(first.AddMinutes(-1), new ProbeTask(3));
        // A message after both wake-ups proves no third one is still on its way.
        await scope.Connection.GetSubscriber().PublishAsync(PubSubMode.Channel(scope.Connection, scope.Keys().WakeChannel), -1);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            received.Add((long)(await wakeUps.ReadAsync(timeout.Token)).Message);
        }

        Assert.That(received, Is.EqualTo(new[] { first.ToUnixTimeMilliseconds(), first.AddMinutes(-1).ToUnixTimeMilliseconds(), -1 }));
    }

    private static long EvalshaCalls(IServer server)
    {
        var stats = server.Info("commandstats").SelectMany(g => g).FirstOrDefault(p => p.Key == "cmdstat_evalsha").Value ?? "calls=0";
        return long.Parse(stats.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
