using RedisScheduler.LoadTest.Agent;
using RedisScheduler.LoadTest.Coordinator;
using RedisScheduler.LoadTest.Reporting;

namespace RedisScheduler.LoadTest.Workloads;

/// <summary>
/// W1 and W4: one client process schedules N tasks due in 10 minutes, in one mode: <c>seq</c> (one
/// awaited call at a time), <c>sync</c> (one synchronous call at a time), <c>batch:SIZE</c> (the batch API) or <c>concurrent:CALLERS</c>. A fresh
/// redis-server for each mode; W4 is its used_memory growth divided by N.
/// </summary>
internal static class ScheduleWorkload
{
    public static async Task<(ScheduleResult Result, string Description)> RunAsync(SystemDefinition system, string mode, LoadTestOptions options)
    {
        using var redis = MeasuredRedis.Start();
        using var client = AgentProcess.Start(system, "client", redis, options.Concurrency, capacity: 0);
        await client.ReadyAsync();

        // Warm-up into the year 2100 (never due): JIT, connection pools and script caches are ready
        // before the clock starts. Those tasks are in both snapshots, so W4 does not count them.
        var warmUp = mode.StartsWith("batch", StringComparison.Ordinal) ? 2 * options.BatchSize : 500;
        await AgentCommands.ScheduleAsync(client, mode, warmUp, TaskNumbers.WarmUp, DueTimes.Absolute(new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc), TimeSpan.FromMilliseconds(1)), $"{system.Name} W1 {mode} warm-up");

        var load = MachineLoad.Current()[0];
        var before = redis.Snapshot();
        var machineBefore = MachineCpu.Now();
        var reply = await AgentCommands.ScheduleAsync(client, mode, options.Tasks, TaskNumbers.Measured, DueTimes.Relative(TimeSpan.FromMinutes(10)), $"{system.Name} W1 {mode}");
        var machineAfter = MachineCpu.Now();
        var after = redis.Snapshot();
        await client.QuitAsync();
        var cost = RedisCost.Between(before, after);
        var result = new ScheduleResult(mode, options.Tasks, reply.Seconds, reply.CpuSeconds, cost, load)
        {
            P50Milliseconds = reply.P50Milliseconds,
            P99Milliseconds = reply.P99Milliseconds,
            OtherCpuSeconds = machineAfter.OthersSince(machineBefore, cost.ServerCpuSeconds + reply.CpuSeconds),
            StealSeconds = machineAfter.StealSince(machineBefore),
        };
        return (result, client.Description);
    }
}
