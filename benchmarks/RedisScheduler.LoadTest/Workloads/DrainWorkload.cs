using System.Diagnostics;
using RedisScheduler.LoadTest.Agent;
using RedisScheduler.LoadTest.Coordinator;
using RedisScheduler.LoadTest.Reporting;

namespace RedisScheduler.LoadTest.Workloads;

/// <summary>
/// W2: N tasks already due (scheduled through the delayed path, due 1 s ago), optionally with more
/// tasks pending further in the future; then the worker processes start, and the clock runs from
/// their start until the last handler started. Workers are started and warmed up before the tasks
/// are scheduled, and only begin fetching at <c>go</c>, so process start-up is not timed.
/// </summary>
internal static class DrainWorkload
{
    /// <param name="warmUpTasks">When above 0, each worker process first drains this many tasks with a host of its own, then disposes it: the measured run finds the code compiled and tiered up, as in a process that has been running.</param>
    public static async Task<(DrainResult Result, string Description)> RunAsync(SystemDefinition system, int workerCount, int pending, int tasks, LoadTestOptions options, int warmUpTasks = 0)
    {
        var label = $"{system.Name} W2 ({workerCount} worker{(workerCount == 1 ? "" : "s")}, {pending:N0} pending{(warmUpTasks > 0 ? ", warmed up" : "")})";
        using var redis = MeasuredRedis.Start();
        using var client = AgentProcess.Start(system, "client", redis, options.Concurrency, capacity: 0);
        var workers = Enumerable.Range(0, workerCount).Select(_ => AgentProcess.Start(system, "worker", redis, options.Concurrency, (2 * tasks) + 1000, warmUpTasks > 0 ? ["warm-up-tasks=" + warmUpTasks.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [])).ToList();
        try
        {
            await Task.WhenAll(workers.Select(w => w.ReadyAsync()).Append(client.ReadyAsync()));
            var fill = Stopwatch.StartNew();
            if (pending > 0)
            {
                await AgentCommands.FillPendingAsync(client, system, options, pending);
            }

            await AgentCommands.ScheduleAsync(client, AgentCommands.BulkMode(system, options), tasks, TaskNumbers.Measured, DueTimes.Relative(TimeSpan.FromSeconds(-1)), $"{label}: scheduling {tasks:N0} due tasks");
            var fillSeconds = fill.Elapsed.TotalSeconds;
            await client.QuitAsync();

            var load = MachineLoad.Current()[0];
            var before = redis.Snapshot();
            var machineBefore = MachineCpu.Now();
            foreach (var worker in workers)
            {
                worker.Send("go");
            }

            var started = (await Task.WhenAll(workers.Select(w => w.ExpectAsync("STARTED", TimeSpan.FromSeconds(60))))).Select(AgentProcess.Numbers).ToArray();
            var cap = Stopwatch.StartNew();
            await ConsoleProgress.FollowAsync(label, tasks, () => workers.Sum(w => w.Progress), () => workers.Sum(w => w.Progress) >= tasks || cap.Elapsed.TotalSeconds > options.DrainCapSeconds);
            var cutoff = DateTime.UtcNow.Ticks;
            var machineAfter = MachineCpu.Now();
            var after = redis.Snapshot();
            var (records, cpu, runtime) = await AgentCommands.StopAsync(workers, [.. started.Select(s => s[1])]);

            var goTicks = started.Min(s => s[0]);
            var measured = records.Where(r => r.OrderId >= TaskNumbers.Measured && r.OrderId < TaskNumbers.Measured + tasks).ToList();
            var unique = measured.Select(r => r.OrderId).Distinct().Count();
            var finished = unique == tasks;
            // Finished: the last handler start ends the drain. Stopped by the cap: the rate so far.
            var inTime = measured.Where(r => finished || r.StartTicks <= cutoff).ToList();
            var end = finished ? measured.Max(r => r.StartTicks) : cutoff;
            var handled = inTime.Select(r => r.OrderId).Distinct().Count();
            var firstStart = measured.Count > 0 ? TimeSpan.FromTicks(measured.Min(r => r.StartTicks) - goTicks).TotalMilliseconds : double.NaN;
            var cost = RedisCost.Between(before, after);
            var result = new DrainResult(
                workerCount,
                pending,
                tasks,
                handled,
                measured.Count - unique,
                finished,
                TimeSpan.FromTicks(end - goTicks).TotalSeconds,
                firstStart,
                fillSeconds,
                cpu,
                cost,
                load)
            {
                OtherCpuSeconds = machineAfter.OthersSince(machineBefore, cost.ServerCpuSeconds + cpu),
                StealSeconds = machineAfter.StealSince(machineBefore),
                Runtime = runtime,
            };
            return (result, workers[0].Description);
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }
}
