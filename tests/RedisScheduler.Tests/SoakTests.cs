using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>Redis memory stays flat while many tasks flow through: finished tasks and old dead letters leave nothing behind.</summary>
[Category("Soak")]
[NonParallelizable]
public sealed class SoakTests
{
    [Test]
    public async Task HundredThousandTasksFlowThrough_RedisMemoryStaysFlat()
    {
        const int Rounds = 20;
        const int PerRound = 5_000;
        await using var scope = new TestScope();
        var server = scope.Connection.GetServer(scope.Server.Configuration);
        var scheduler = scope.CreateScheduler();
        var probe = new TaskProbe();
        await scope.StartWorkerAsync("A", concurrency: 32, probe: probe, configure: o => o.DeadLetterRetention = TimeSpan.FromSeconds(1));
        var memory = new List<long>();

        for (var round = 0; round < Rounds; round++)
        {
            // 1% fail for good, so dead letters come and go as well.
            await scheduler.ScheduleTasksAsync(Enumerable.Range(0, PerRound).Select(i =>
                (DateTimeOffset.UtcNow, new ProbeTask(i, i % 100 == 0 ? ProbeBehavior.FailPermanently : ProbeBehavior.Complete))));
            await probe.WaitForAsync((round + 1) * PerRound, TimeSpan.FromSeconds(60));
            memory.Add(UsedMemory(server));
        }

        var dead = await scope.Database.SortedSetLengthAsync(scope.Keys().DeadLetters);
        TestContext.Out.WriteLine($"soak: {Rounds * PerRound} tasks; used_memory after each round (KiB): {string.Join(", ", memory.Select(m => m / 1024))}; dead letters at the end: {dead}");

        // The sweeps go on after the last round: the idle worker claims at least once a second and
        // sweeps up to 500 dead letters a second older than their 1 s retention, so all 1,000 go
        // within a few seconds. (Asserting fewer than 1,000 at the end of the rounds failed when a
        // fast run finished inside two sweep intervals, before any dead letter was a second old.)
        RedisCli.WaitUntil(
            () => scope.Database.SortedSetLength(scope.Keys().DeadLetters) == 0,
            TimeSpan.FromSeconds(20),
            () => $"old dead letters were swept: {scope.Database.SortedSetLength(scope.Keys().DeadLetters)} of {Rounds * PerRound / 100} left");

        Assert.That(probe.Handled, Has.Count.EqualTo(Rounds * PerRound));
        // Flat: the last rounds hold no more than the early ones, give or take allocator noise and the
        // buffers of the server's other clients (in a full run it once grew 1.4 MB, alone never over
        // 1 MB). A leak would scale with the 100,000 tasks: 40 bytes each is already 4 MB.
        Assert.That(memory[^1] - memory[1], Is.LessThan(4 * 1024 * 1024), "memory grew with the number of tasks that passed through");
        Assert.That(await scope.Database.HashLengthAsync(scope.Keys().Errors), Is.Zero, "the swept dead letters' errors were deleted with them");
    }

    private static long UsedMemory(IServer server)
        => long.Parse(server.Info("memory").SelectMany(g => g).First(p => p.Key == "used_memory").Value, System.Globalization.CultureInfo.InvariantCulture);
}
