using System.Globalization;
using System.Text;

namespace RedisScheduler.LoadTest.Reporting;

/// <summary>The run as markdown: every table has one row per system, RedisScheduler and Hangfire side by side.</summary>
internal static class MarkdownReport
{
    public static string Write(RunResult run)
    {
        var md = new StringBuilder();
        var o = run.Options;
        var m = run.Machine;
        md.AppendLine(Invariant($"# Load test results{(o.Quick ? " (quick mode)" : string.Empty)}"));
        md.AppendLine();
        md.AppendLine(Invariant($"- **When**: {run.StartedAt:yyyy-MM-dd HH:mm} UTC, {(run.FinishedAt - run.StartedAt).TotalMinutes:F1} minutes; commit `{m.GitCommit}`."));
        md.AppendLine(Invariant($"- **Command**: `{run.CommandLine}`"));
        md.AppendLine(Invariant($"- **Machine**: {m.Cores} cores ({m.Cpu}), {m.MemoryGiB} GiB, {m.Os}; {m.Dotnet}; Redis {m.Redis} (`--save \"\" --appendonly no`, loopback); {m.RedisBenchmark}."));
        md.AppendLine(Invariant($"- **Load average** (1/5/15 min): {Load(m.LoadAverageAtStart)} at the start; before each system: {string.Join("; ", run.Systems.Zip(run.LoadAverages).Select(p => $"{p.First.Name} {p.Second[0]:F2}"))}; {Load(run.LoadAverages[^1])} at the end. Each phase's own 1-minute figure is in results.json."));
        md.AppendLine(Invariant($"- **Figures**: N = {o.Tasks:N0} tasks (W1, W2, W4); handler concurrency {o.Concurrency} per worker process; W3: {o.LatenessTasks:N0} tasks over {o.LatenessWindowSeconds:G} s from {o.LatenessLeadSeconds:G} s after scheduling; W1 batch {o.BatchSize:N0} tasks per call, W1 concurrent {o.Clients} callers; W2 time cap {o.DrainCapSeconds:G} s."));
        md.AppendLine(Invariant($"- **Redis**: {o.Redis switch { "cluster" => "a 3-master + 3-replica Redis Cluster on loopback", "cluster-masters" => "a Redis Cluster of 3 masters without replicas on loopback", _ => "one redis-server" }}; RedisScheduler's task types: {(run.TaskTypes.Length > 0 ? run.TaskTypes : "order")}."));
        md.AppendLine("- **Systems**:");
        foreach (var system in run.Systems)
        {
            md.AppendLine(Invariant($"  - {system.Title}: {system.Description}"));
        }

        if (run.Warnings.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("**Warnings**:");
            md.AppendLine();
            foreach (var warning in run.Warnings)
            {
                md.AppendLine("- " + warning);
            }
        }

        md.AppendLine();
        md.AppendLine("![W3 lateness](lateness.png)");
        md.AppendLine();
        md.AppendLine("![Throughput](throughput.png)");
        Ceiling(md, run);
        Schedule(md, run);
        Drain(md, run);
        Lateness(md, run);
        Memory(md, run);
        Costs(md, run);
        NodeCostReport.Write(md, run);
        Scaling(md, run);
        WhereTimeGoes(md, run);
        var notes = run.Systems.SelectMany(s => s.Notes.Select(n => $"{s.Title}: {n}")).ToList();
        if (notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Notes");
            md.AppendLine();
            notes.ForEach(n => md.AppendLine("- " + n));
        }

        return md.ToString();
    }

    private static void Ceiling(StringBuilder md, RunResult run)
    {
        if (run.Ceiling.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("## Ceiling: redis-benchmark on the same server and machine");
        md.AppendLine();
        md.AppendLine("| Test | Connections | Pipeline | Requests/s | p50 latency |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var c in run.Ceiling)
        {
            md.AppendLine(Invariant($"| {c.Test} | {c.Connections} | {c.Pipeline} | {c.RequestsPerSecond:N0} | {c.P50Ms:F3} ms |"));
        }
    }

    private static void Schedule(StringBuilder md, RunResult run)
    {
        var systems = ClientSystems(run);
        if (systems.Count == 0)
        {
            return;
        }

        var o = run.Options;
        md.AppendLine();
        md.AppendLine(Invariant($"## W1: one client schedules {o.Tasks:N0} tasks due in 10 minutes"));
        md.AppendLine();
        md.AppendLine(Invariant($"Tasks per second (client CPU per task). Sequential: one awaited call at a time. Synchronous: one call of the synchronous API at a time (`ScheduleTask(timestamp, payload)`). Batch: `ScheduleTasksAsync` with {o.BatchSize:N0} tasks per call, calls awaited one after another. Concurrent: {o.Clients} callers in the one process (threads for Hangfire's synchronous client)."));
        md.AppendLine();
        md.AppendLine("| System | Sequential | Synchronous | Batch API | Concurrent |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var s in systems)
        {
            md.AppendLine(Invariant($"| {ClientTitle(s)} | {ScheduleCell(s, "seq")} | {ScheduleCell(s, "sync")} | {ScheduleCell(s, "batch")} | {ScheduleCell(s, "concurrent")} |"));
        }

        if (run.ClientCeiling.Count > 0)
        {
            var bare = new SystemResult { Name = "bare-client", Title = "StackExchange.Redis alone", ClientFamily = "bare-client" };
            bare.Schedule.AddRange(run.ClientCeiling);
            md.AppendLine(Invariant($"| *ceiling: StackExchange.Redis alone* | {ScheduleCell(bare, "seq")} | {ScheduleCell(bare, "sync")} | {ScheduleCell(bare, "batch")} | {ScheduleCell(bare, "concurrent")} |"));
            md.AppendLine();
            md.AppendLine("The ceiling row is the same client library, network and Redis with the least a scheduler must do: one EVALSHA of a script that writes the record into a hash and the id into a sorted set, per task; its batch mode sends one such call per 500 tasks (one HSET and one ZADD for all of them, ids made by the client), pipelined, as the library's batch does with its own script.");
        }

        SharedClientNote(md, run);
        SingleCallLatency(md, run, systems);
    }

    /// <summary>What one call costs its caller, and the sequential rate against redis-benchmark's one-connection EVALSHA of the same run.</summary>
    private static void SingleCallLatency(StringBuilder md, RunResult run, List<SystemResult> systems)
    {
        var rows = systems.Select(s => (Title: ClientTitle(s), s.Schedule)).ToList();
        if (run.ClientCeiling.Count > 0)
        {
            rows.Add(("*ceiling: StackExchange.Redis alone*", run.ClientCeiling));
        }

        var evalsha = run.Ceiling.FirstOrDefault(c => c.Test.StartsWith("EVALSHA", StringComparison.Ordinal) && c.Connections == 1)?.RequestsPerSecond;
        md.AppendLine();
        md.AppendLine("Time of one call, one at a time (p50 / p99), and the sequential rate as a share of redis-benchmark's one-connection EVALSHA rate in the same run:");
        md.AppendLine();
        md.AppendLine("| System | Awaited call p50 / p99 | Synchronous call p50 / p99 | Sequential ÷ redis-benchmark EVALSHA |");
        md.AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var (title, schedule) in rows)
        {
            string Latency(string mode) => schedule.FirstOrDefault(r => r.Mode == mode && r.P50Milliseconds > 0) is { } r
                ? Invariant($"{r.P50Milliseconds:F3} / {r.P99Milliseconds:F3} ms")
                : "–";
            var sequential = schedule.FirstOrDefault(r => r.Mode == "seq");
            var ratio = sequential is not null && evalsha is > 0 ? Invariant($"{sequential.TasksPerSecond / evalsha.Value:F2}") : "–";
            md.AppendLine(Invariant($"| {title} | {Latency("seq")} | {Latency("sync")} | {ratio} |"));
        }
    }

    private static string ScheduleCell(SystemResult system, string mode)
    {
        var result = system.Schedule.FirstOrDefault(r => r.Mode.StartsWith(mode, StringComparison.Ordinal));
        return result is null
            ? mode == "batch" && system.Name.StartsWith("hangfire", StringComparison.Ordinal) ? "no batch API" : "–"
            : Invariant($"{result.TasksPerSecond:N0}/s ({result.ClientCpuSeconds * 1e6 / result.Tasks:N0} µs CPU)");
    }

    private static void Drain(StringBuilder md, RunResult run)
    {
        var systems = run.Systems.Where(s => s.Drain is not null).ToList();
        if (systems.Count == 0)
        {
            return;
        }

        var o = run.Options;
        md.AppendLine();
        md.AppendLine(Invariant($"## W2: one worker process (concurrency {o.Concurrency}) drains {o.Tasks:N0} tasks that are already due"));
        md.AppendLine();
        md.AppendLine("Tasks were scheduled through the delayed path, due 1 s ago, before the worker started. Time runs from the worker's start to the last handler start; CPU is a share of one core over that time.");
        md.AppendLine();
        md.AppendLine("| System | Tasks/s | Time | First handler after start | Ran | Twice | Worker CPU | Redis CPU |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var s in systems)
        {
            md.AppendLine(DrainRow(Title(s), s.Drain!));
        }

        var warm = run.Systems.Where(s => s.DrainWarm is not null).ToList();
        if (warm.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"The same, by a worker process that had first drained {o.Tasks:N0} warm-up tasks with a host it then disposed (`w2-warm`): its code is compiled and tiered up, as in a service that has been running. The figure above includes the .NET runtime compiling the worker's code while it drains; on two cores that compiling competes with the worker and Redis."));
            md.AppendLine();
            md.AppendLine("| System | Tasks/s | Time | First handler after start | Ran | Twice | Worker CPU | Redis CPU |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var s in warm)
            {
                md.AppendLine(DrainRow(Title(s) + ", warmed-up worker", s.DrainWarm!));
            }
        }
    }

    private static string DrainRow(string title, DrainResult d)
        => Invariant($"| {title} | {d.TasksPerSecond:N0} | {d.Seconds:F1} s{(d.Finished ? string.Empty : " (cap)")} | {d.FirstStartMs:N0} ms | {d.Handled:N0}/{d.Tasks:N0} | {d.Duplicates} | {d.WorkerCpuSeconds / d.Seconds:P0} | {d.Redis.CpuSeconds / d.Seconds:P0} |");

    private static void Lateness(StringBuilder md, RunResult run)
    {
        var systems = run.Systems.Where(s => s.Lateness is not null).ToList();
        if (systems.Count == 0)
        {
            return;
        }

        var o = run.Options;
        md.AppendLine();
        md.AppendLine(Invariant($"## W3: lateness of {o.LatenessTasks:N0} tasks, each due at its own instant over {o.LatenessWindowSeconds:G} s"));
        md.AppendLine();
        md.AppendLine("Handler start minus due instant, in ms; negative means the task started early. One idle worker process, already running.");
        md.AppendLine();
        md.AppendLine("| System | p50 | p90 | p99 | max | min | Early | Ran |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var s in systems)
        {
            md.AppendLine(LatenessRow(Title(s), s.Lateness!));
        }
    }

    private static string LatenessRow(string title, LatenessResult l)
        => Invariant($"| {title} | {Ms(l.P50Ms)} | {Ms(l.P90Ms)} | {Ms(l.P99Ms)} | {Ms(l.MaxMs)} | {Ms(l.MinMs)} | {(l.Early == 0 ? "0" : $"**{l.Early}**")} | {l.Handled:N0}/{l.Tasks:N0} |");

    private static void Memory(StringBuilder md, RunResult run)
    {
        var systems = ClientSystems(run);
        if (systems.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("## W4: Redis memory per pending task");
        md.AppendLine();
        md.AppendLine("`used_memory` after W1 minus before, divided by N, for each W1 mode.");
        md.AppendLine();
        md.AppendLine("| System | Sequential | Batch API | Concurrent |");
        md.AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var s in systems)
        {
            string Cell(string mode) => s.Schedule.FirstOrDefault(r => r.Mode.StartsWith(mode, StringComparison.Ordinal)) is { } r ? Invariant($"{r.BytesPerTask:N0} B") : "–";
            md.AppendLine(Invariant($"| {ClientTitle(s)} | {Cell("seq")} | {Cell("batch")} | {Cell("concurrent")} |"));
        }

        SharedClientNote(md, run);
    }

    private static void Costs(StringBuilder md, RunResult run)
    {
        md.AppendLine();
        md.AppendLine("## Redis commands and round trips per task");
        md.AppendLine();
        md.AppendLine("From INFO deltas over each measured phase. *Commands*: every command Redis executed (commandstats), including those inside scripts and MULTI/EXEC. *Round trips*: read events on client sockets (`total_reads_processed`), how often Redis had to wait for a client's next request; a pipelined batch or a MULTI/EXEC block sent at once is one, and so are requests of concurrent callers that the client library wrote together. In W1 sequential nothing else is in flight, so it is exactly the round trips of one call. Idle polling, heartbeats and housekeeping during the phase are included.");
        md.AppendLine();
        md.AppendLine("| System | Phase | Commands/task | Round trips/task | Scripts/task | MULTI/EXEC/task | Redis CPU/task | Most frequent commands per task |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var s in run.Systems)
        {
            foreach (var (phase, cost, tasks) in s.MeasuredPhases())
            {
                var p = cost.Per(tasks);
                var top = string.Join(", ", cost.ByCommand.OrderByDescending(c => c.Value).Take(6).Select(c => $"{c.Key} {Small((double)c.Value / tasks)}"));
                md.AppendLine(Invariant($"| {Title(s)} | {phase} | {Small(p.Commands)} | {Small(p.Reads)} | {Small(p.ScriptCalls)} | {Small(p.Transactions)} | {p.RedisCpuMicroseconds:F1} µs | {top} |"));
            }
        }
    }

    private static void Scaling(StringBuilder md, RunResult run)
    {
        var pending = run.Systems.Where(s => s.DrainByPending.Count > 0 || s.LatenessByPending.Count > 0).ToList();
        var workers = run.Systems.Where(s => s.DrainByWorkers.Count > 0).ToList();
        if (pending.Count == 0 && workers.Count == 0)
        {
            return;
        }

        var o = run.Options;
        md.AppendLine();
        md.AppendLine("## Scaling");
        if (pending.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"### With more tasks pending further in the future (1 to 2 hours ahead)"));
            md.AppendLine();
            md.AppendLine(Invariant($"W2 with {o.ScaleTasks:N0} due tasks and W3 as above, while the schedule also holds the pending tasks. The cost per task should stay flat as the schedule grows. The 0 row is the main W2/W3 run (with N = {o.Tasks:N0} for W2)."));
            md.AppendLine();
            md.AppendLine("| System | Pending | W2 tasks/s | W2 commands/task | W2 Redis CPU/task | W3 p50 | W3 p99 | W3 max | W3 early | W3 Redis CPU/task |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var s in pending)
            {
                var levels = s.DrainByPending.Select(d => d.Pending).Union(s.LatenessByPending.Select(l => l.Pending)).Order().ToList();
                if (s.Drain is not null || s.Lateness is not null)
                {
                    levels.Insert(0, 0);
                }

                foreach (var level in levels)
                {
                    var d = level == 0 ? s.Drain : s.DrainByPending.FirstOrDefault(x => x.Pending == level);
                    var l = level == 0 ? s.Lateness : s.LatenessByPending.FirstOrDefault(x => x.Pending == level);
                    var drain = d is null ? "– | – | –" : Invariant($"{d.TasksPerSecond:N0}{(d.Finished ? string.Empty : " (cap)")} | {d.PerTask.Commands:F1} | {d.PerTask.RedisCpuMicroseconds:F1} µs");
                    var late = l is null ? "– | – | – | – | –" : Invariant($"{Ms(l.P50Ms)} | {Ms(l.P99Ms)} | {Ms(l.MaxMs)} | {l.Early} | {l.PerTask.RedisCpuMicroseconds:F1} µs");
                    md.AppendLine(Invariant($"| {Title(s)} | {level:N0} | {drain} | {late} |"));
                }
            }
        }

        if (workers.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"### W2 with more worker processes"));
            md.AppendLine();
            md.AppendLine(Invariant($"{o.ScaleTasks:N0} due tasks, each worker process with concurrency {o.Concurrency}; all processes share the machine's {run.Machine.Cores} cores with Redis."));
            md.AppendLine();
            md.AppendLine("| System | Worker processes | Tasks/s | Time | Workers' CPU | Redis CPU | Commands/task | Round trips/task | Twice |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var s in workers)
            {
                foreach (var d in s.DrainByWorkers)
                {
                    md.AppendLine(Invariant($"| {Title(s)} | {d.Workers} | {d.TasksPerSecond:N0} | {d.Seconds:F1} s{(d.Finished ? string.Empty : " (cap)")} | {d.WorkerCpuSeconds / d.Seconds:P0} | {d.Redis.CpuSeconds / d.Seconds:P0} | {d.PerTask.Commands:F1} | {Small(d.PerTask.Reads)} | {d.Duplicates} |"));
                }
            }
        }
    }

    private static void WhereTimeGoes(StringBuilder md, RunResult run)
    {
        var bare = new SystemResult { Name = "bare-client", Title = "*StackExchange.Redis alone*", ClientFamily = "bare-client" };
        bare.Schedule.AddRange(run.ClientCeiling);
        md.AppendLine();
        md.AppendLine("## Where the time goes");
        md.AppendLine();
        md.AppendLine("CPU over each phase's wall time, as a share of one core (the machine has " + run.Machine.Cores.ToString(CultureInfo.InvariantCulture) + "). Client: the scheduling process (W1) or the worker processes (W2). Others: every other process on the machine (from /proc/stat), the work this phase competed with. A phase whose Redis and client CPU are both well below 100 % waits on round trips; one at about 100 % of a core is bound by that process (Redis runs commands on one thread); together near " + (run.Machine.Cores * 100).ToString(CultureInfo.InvariantCulture) + " % the machine itself is the limit.");
        md.AppendLine();
        md.AppendLine("| System | Phase | Tasks/s | Wall | Client CPU | Redis CPU | Others' CPU | Redis CPU/task | Client CPU/task | Round trips/task |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var s in run.Systems.Prepend(bare))
        {
            foreach (var r in s.ScheduleMeasuredWith is null ? s.Schedule : [])
            {
                md.AppendLine(Invariant($"| {Title(s)} | W1 {r.Mode} | {r.TasksPerSecond:N0} | {r.Seconds:F1} s | {r.ClientCpuSeconds / r.Seconds:P0} | {r.Redis.CpuSeconds / r.Seconds:P0} | {r.OtherCpuSeconds / r.Seconds:P0} | {r.PerTask.RedisCpuMicroseconds:F1} µs | {r.ClientCpuSeconds * 1e6 / r.Tasks:F1} µs | {Small(r.PerTask.Reads)} |"));
            }

            foreach (var d in new[] { s.Drain, s.DrainWarm }.Concat(s.DrainByWorkers.Where(x => x.Workers > 1)).OfType<DrainResult>())
            {
                md.AppendLine(Invariant($"| {Title(s)} | W2 ({d.Workers} worker{(d.Workers == 1 ? "" : "s")}{(d == s.DrainWarm ? ", warmed up" : "")}) | {d.TasksPerSecond:N0} | {d.Seconds:F1} s | {d.WorkerCpuSeconds / d.Seconds:P0} | {d.Redis.CpuSeconds / d.Seconds:P0} | {d.OtherCpuSeconds / d.Seconds:P0} | {d.PerTask.RedisCpuMicroseconds:F1} µs | {d.WorkerCpuSeconds * 1e6 / Math.Max(1, d.Handled):F1} µs | {Small(d.PerTask.Reads)} |"));
            }
        }

        // A drain whose worker still compiles measures the JIT too: said, so a warmed-up row can be checked.
        // Results from before the count existed (--report on an old results.json) read 0: not shown.
        var drains = run.Systems.SelectMany(s => new[] { (s, s.Drain, ""), (s, s.DrainWarm, ", warmed up") }).Where(x => x.Item2 is not null).ToList();
        if (drains.Any(x => x.Item2!.CompiledMethods > 0))
        {
            md.AppendLine();
            md.AppendLine("Methods the worker's JIT compiled during W2, from the start to the last handler start: " +
                string.Join("; ", drains.Select(x => Invariant($"{Title(x.s)} (1 worker{x.Item3}) {x.Item2!.CompiledMethods:N0}"))) + ".");
        }

        // Allocations that outlive gen0 (an exporter's queue of spans) show as more collections and pause.
        if (drains.Any(x => x.Item2!.Runtime.Collections > 0))
        {
            md.AppendLine();
            md.AppendLine("Garbage collections in the worker during W2, from the start to the last handler start: " +
                string.Join("; ", drains.Select(x => Invariant(
                    $"{Title(x.s)} (1 worker{x.Item3}) {x.Item2!.Runtime.Collections:N0} (gen1 {x.Item2.Runtime.Gen1Collections:N0}, gen2 {x.Item2.Runtime.Gen2Collections:N0}), paused {x.Item2.Runtime.GcPauseSeconds * 1000:F0} ms ({x.Item2.Runtime.GcPauseSeconds / x.Item2.Seconds:P1} of the wall time)"))) + ".");
        }
    }

    private static string Title(SystemResult s) => s.Title;

    /// <summary>W1 and W4 measure the client only, once per client family: "Hangfire" stands for all its server settings.</summary>
    private static string ClientTitle(SystemResult s) => s.ClientFamily == "hangfire" ? "Hangfire (client)" : s.Title;

    private static List<SystemResult> ClientSystems(RunResult run) => [.. run.Systems.Where(s => s.Schedule.Count > 0 && s.ScheduleMeasuredWith is null)];

    private static void SharedClientNote(StringBuilder md, RunResult run)
    {
        if (run.Systems.Any(s => s.ScheduleMeasuredWith is not null))
        {
            md.AppendLine();
            md.AppendLine("Hangfire's client does not depend on the server's polling settings, so W1 and W4 were measured once for all the Hangfire configurations.");
        }
    }

    private static string Ms(double ms) => double.IsNaN(ms) ? "–" : Math.Abs(ms) >= 100 ? Invariant($"{ms:N0} ms") : Invariant($"{ms:F1} ms");

    /// <summary>One decimal from 10, two from 0.1, two significant digits below (a batch's 0.002 round trips per task is not 0.00).</summary>
    private static string Small(double value)
        => value == 0 ? "0"
            : Math.Abs(value) >= 10 ? Invariant($"{value:F1}")
            : Math.Abs(value) >= 0.1 ? Invariant($"{value:F2}")
            : value.ToString("G2", CultureInfo.InvariantCulture);

    private static string Load(double[] load) => Invariant($"{load[0]:F2} / {load[1]:F2} / {load[2]:F2}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
