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
    /// The load test itself keeps about two processes busy; a 1-minute load average above twice the
    /// cores at the start of a phase means other work competed with it.
    /// </summary>
    private void WarnAboutBusyPhases()
    {
        var limit = 2.0 * Environment.ProcessorCount;
        var busy = new List<string>();
        foreach (var s in run.Systems)
        {
            busy.AddRange(s.Schedule.Where(r => s.ScheduleMeasuredWith is null && r.LoadAverage > limit).Select(r => Invariant($"{s.Name} W1 {r.Mode} ({r.LoadAverage:F1})")));
            busy.AddRange(new[] { s.Drain }.Concat(s.DrainByPending).Concat(s.DrainByWorkers).OfType<DrainResult>().Distinct().Where(d => d.LoadAverage > limit)
                .Select(d => Invariant($"{s.Name} W2 {d.Workers} worker(s) {d.Pending:N0} pending ({d.LoadAverage:F1})")));
            busy.AddRange(new[] { s.Lateness }.Concat(s.LatenessByPending).OfType<LatenessResult>().Where(l => l.LoadAverage > limit)
                .Select(l => Invariant($"{s.Name} W3 {l.Pending:N0} pending ({l.LoadAverage:F1})")));
        }

        if (busy.Count > 0)
        {
            run.Warnings.Add(Invariant($"Measured while other work kept the machine busy (1-minute load average above {limit:G} at the phase's start): {string.Join(", ", busy)}. Re-run those when the machine is quiet before trusting them."));
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
            ? ["seq", $"batch:{options.BatchSize}", $"concurrent:{options.Clients}"]
            : ["seq", $"concurrent:{options.Clients}"];

    private async Task<DrainResult> DrainAsync(SystemDefinition system, SystemResult result, int workers, int pending, int tasks)
    {
        var (drain, description) = await DrainWorkload.RunAsync(system, workers, pending, tasks, options);
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
