using System.Globalization;
using RedisScheduler.LoadTest.Reporting;
using RedisScheduler.LoadTest.Workloads;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>
/// Runs the chosen workloads for each chosen system, one system at a time, each measurement against
/// a fresh redis-server of its own; a failed measurement is reported and the run goes on.
/// </summary>
internal sealed class LoadTestRunner(LoadTestOptions options, RunResult run)
{
    public async Task RunAsync()
    {
        if (options.Runs("ceiling"))
        {
            await MeasureAsync("ceiling (redis-benchmark)", async () =>
            {
                ConsoleProgress.Line("Ceiling: redis-benchmark against a fresh redis-server");
                run.Ceiling.AddRange(await CeilingWorkload.RunAsync(options.Quick));
            });
            foreach (var mode in ScheduleModes(SystemDefinition.BareClient))
            {
                await MeasureAsync($"bare client W1 {mode}", async () =>
                {
                    var (schedule, description) = await ScheduleWorkload.RunAsync(SystemDefinition.BareClient, mode, options);
                    run.ClientCeiling.Add(schedule);
                    run.ClientCeilingDescription = description;
                    ConsoleProgress.Line(Invariant($"  StackExchange.Redis alone, W1 {mode}: {schedule.TasksPerSecond:N0} tasks/s, client CPU {schedule.ClientCpuSeconds * 1e6 / schedule.Tasks:N0} µs/task"));
                });
            }
        }

        var schedulesByFamily = new Dictionary<string, SystemResult>(StringComparer.Ordinal);
        foreach (var system in options.Systems.Select(n => SystemDefinition.All.First(s => s.Name == n)))
        {
            var result = new SystemResult { Name = system.Name, Title = system.Title, ClientFamily = system.ClientFamily };
            run.Systems.Add(result);
            ConsoleProgress.Line($"{system.Title}: load average {FormatLoad(MachineLoad.Current())}");
            run.LoadAverages.Add(MachineLoad.Current());
            await RunSystemAsync(system, result, schedulesByFamily);
        }

        WarnAboutBusyPhases();
    }

    /// <summary>
    /// Flags each phase during which other processes (not Redis, the agents or the coordinator) used
    /// more than a quarter of a core on average, or the hypervisor stole as much: its figures competed
    /// with other work. The load average cannot tell this: the load test's own threads are in it.
    /// </summary>
    private void WarnAboutBusyPhases()
    {
        const double Limit = 0.25;
        var busy = new List<string>();
        void Check(string phase, double seconds, double other, double steal)
        {
            if (seconds > 0 && (other / seconds > Limit || steal / seconds > Limit))
            {
                busy.Add(Invariant($"{phase} (others {other / seconds:P0}, steal {steal / seconds:P0})"));
            }
        }

        foreach (var s in run.Systems)
        {
            foreach (var r in s.Schedule.Where(_ => s.ScheduleMeasuredWith is null))
            {
                Check($"{s.Name} W1 {r.Mode}", r.Seconds, r.OtherCpuSeconds, r.StealSeconds);
            }

            foreach (var d in new[] { s.Drain, s.DrainWarm }.Concat(s.DrainByPending).Concat(s.DrainByWorkers).OfType<DrainResult>().Distinct())
            {
                Check($"{s.Name} W2 ({d.Workers} worker(s), {d.Pending:N0} pending)", d.Seconds, d.OtherCpuSeconds, d.StealSeconds);
            }

            foreach (var l in new[] { s.Lateness }.Concat(s.LatenessByPending).OfType<LatenessResult>())
            {
                Check($"{s.Name} W3 ({l.Pending:N0} pending)", l.WindowSeconds, l.OtherCpuSeconds, l.StealSeconds);
            }
        }

        if (busy.Count > 0)
        {
            run.Warnings.Add($"Other work competed with these phases (other processes' CPU or the hypervisor's steal above a quarter of a core, as a share of one core): {string.Join(", ", busy)}. Re-run them when the machine is quiet before trusting their figures.");
        }
    }

    private async Task RunSystemAsync(SystemDefinition system, SystemResult result, Dictionary<string, SystemResult> schedulesByFamily)
    {
        if (options.Runs("w1") || options.Runs("w4"))
        {
            if (schedulesByFamily.TryGetValue(system.ClientFamily, out var measured))
            {
                // The client does not depend on the server's polling settings: one measurement per client.
                result.Schedule.AddRange(measured.Schedule);
                result.ScheduleMeasuredWith = measured.Title;
            }
            else
            {
                foreach (var mode in ScheduleModes(system))
                {
                    await MeasureAsync($"{system.Name} W1 {mode}", async () =>
                    {
                        var (schedule, description) = await ScheduleWorkload.RunAsync(system, mode, options);
                        result.Schedule.Add(schedule);
                        result.Description = description;
                        ConsoleProgress.Line(Invariant($"  W1 {mode}: {schedule.TasksPerSecond:N0} tasks/s ({schedule.Seconds:F1} s), W4 {schedule.BytesPerTask:N0} bytes/task, {schedule.PerTask.Commands:F1} commands and {schedule.PerTask.Reads:F2} reads per task"));
                    });
                }

                schedulesByFamily[system.ClientFamily] = result;
            }
        }

        if (options.Runs("w2"))
        {
            await MeasureAsync($"{system.Name} W2", async () =>
            {
                result.Drain = await DrainAsync(system, result, workers: 1, pending: 0, options.Tasks);
            });
        }

        if (options.Runs("w2-warm"))
        {
            if (system.IsHangfire)
            {
                result.Notes.Add("W2 with a warmed-up worker was not run for Hangfire: its drain rate is set by its fetching and polling, not by compiling its code.");
            }
            else
            {
                await MeasureAsync($"{system.Name} W2 warm", async () =>
                {
                    result.DrainWarm = await DrainAsync(system, result, workers: 1, pending: 0, options.Tasks, warmUpTasks: options.Tasks);
                });
            }
        }

        if (options.Runs("w3"))
        {
            await MeasureAsync($"{system.Name} W3", async () =>
            {
                result.Lateness = await LatenessAsync(system, result, pending: 0, keepSamples: true);
            });
        }

        if (!options.ScaleSystems.Contains(system.Name))
        {
            return;
        }

        if (options.Runs("scale-pending"))
        {
            foreach (var pending in options.Pending)
            {
                if (system.IsHangfire && pending > options.HangfireMaxPending)
                {
                    result.Notes.Add(Invariant($"Scaling with {pending:N0} pending tasks was not run for Hangfire: filling its schedule costs about 0.5 ms of client CPU per job (raise --hangfire-max-pending to run it)."));
                    continue;
                }

                await MeasureAsync($"{system.Name} W2 with {pending:N0} pending", async () =>
                    result.DrainByPending.Add(await DrainAsync(system, result, workers: 1, pending, options.ScaleTasks)));
                await MeasureAsync($"{system.Name} W3 with {pending:N0} pending", async () =>
                    result.LatenessByPending.Add(await LatenessAsync(system, result, pending, keepSamples: true)));
            }
        }

        if (options.Runs("scale-workers"))
        {
            foreach (var workers in options.Workers)
            {
                if (workers == 1 && result.Drain is { Pending: 0 } drain && drain.Tasks == options.ScaleTasks)
                {
                    result.DrainByWorkers.Add(drain);
                    continue;
                }

                await MeasureAsync($"{system.Name} W2 with {workers} worker processes", async () =>
                    result.DrainByWorkers.Add(await DrainAsync(system, result, workers, pending: 0, options.ScaleTasks)));
            }
        }
    }

    private string[] ScheduleModes(SystemDefinition system)
        => system.SupportsBatch
            ? ["seq", "sync", $"batch:{options.BatchSize}", $"concurrent:{options.Clients}"]
            : ["seq", $"concurrent:{options.Clients}"];

    private async Task<DrainResult> DrainAsync(SystemDefinition system, SystemResult result, int workers, int pending, int tasks, int warmUpTasks = 0)
    {
        var (drain, description) = await DrainWorkload.RunAsync(system, workers, pending, tasks, options, warmUpTasks);
        result.Description = result.Description.Length > 0 ? result.Description : description;
        ConsoleProgress.Line(Invariant($"  W2 ({workers} worker(s), {pending:N0} pending): {drain.TasksPerSecond:N0} tasks/s, {drain.Handled:N0}/{tasks:N0} in {drain.Seconds:F1} s{(drain.Finished ? "" : " (stopped at the time cap)")}, {drain.PerTask.Commands:F1} commands and {drain.PerTask.Reads:F2} reads per task, Redis CPU {drain.Redis.CpuSeconds / drain.Seconds:P0}, worker CPU {drain.WorkerCpuSeconds / drain.Seconds:P0}"));
        if (drain.Duplicates > 0)
        {
            result.Notes.Add(Invariant($"W2 ({workers} worker(s), {pending:N0} pending): {drain.Duplicates} tasks ran twice."));
        }

        return drain;
    }

    private async Task<LatenessResult> LatenessAsync(SystemDefinition system, SystemResult result, int pending, bool keepSamples)
    {
        var (lateness, description) = await LatenessWorkload.RunAsync(system, pending, options, keepSamples);
        result.Description = result.Description.Length > 0 ? result.Description : description;
        ConsoleProgress.Line(Invariant($"  W3 ({pending:N0} pending): p50 {lateness.P50Ms:F1} ms, p99 {lateness.P99Ms:F1} ms, max {lateness.MaxMs:F1} ms, early {lateness.Early}, ran {lateness.Handled}/{lateness.Tasks}"));
        if (!lateness.ScheduledBeforeFirstDue)
        {
            run.Warnings.Add(Invariant($"{system.Title} W3 ({pending:N0} pending): scheduling took {lateness.SchedulingSeconds:F1} s, past the first due instant; the first tasks' lateness includes it."));
        }

        return lateness;
    }

    private async Task MeasureAsync(string what, Func<Task> measure)
    {
        try
        {
            await measure();
        }
#pragma warning disable CA1031 // One failed measurement must not lose the others: it is reported and the run goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var message = $"{what} failed: {e.Message}";
            ConsoleProgress.Line("  " + message);
            run.Warnings.Add(message);
        }
    }

    private static string FormatLoad(double[] load) => Invariant($"{load[0]:F2} {load[1]:F2} {load[2]:F2}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
