using System.Text.Json.Serialization;
using RedisScheduler.LoadTest.Coordinator;

namespace RedisScheduler.LoadTest.Reporting;

/// <summary>What Redis did during one measured phase: the difference between two INFO snapshots.</summary>
/// <param name="Commands">Every command Redis executed, including those run inside scripts and MULTI/EXEC, except the load test's own INFO.</param>
/// <param name="Reads">Read events on client sockets: network round trips as Redis saw them (a pipelined batch is one).</param>
/// <param name="ScriptCalls">EVAL and EVALSHA calls.</param>
/// <param name="Transactions">EXEC calls (MULTI/EXEC blocks).</param>
/// <param name="CpuSeconds">User + system CPU of redis-server.</param>
/// <param name="UsedMemoryDelta">Change of <c>used_memory</c>, in bytes.</param>
/// <param name="ByCommand">Calls per command.</param>
/// <param name="MicrosecondsByCommand">Time Redis spent executing each command (commandstats); a script's time includes the commands it ran, and the rest of <paramref name="CpuSeconds"/> is reading requests and writing replies.</param>
internal sealed record RedisCost(long Commands, long Reads, long ScriptCalls, long Transactions, double CpuSeconds, long UsedMemoryDelta, SortedDictionary<string, long> ByCommand, SortedDictionary<string, long> MicrosecondsByCommand)
{
    public static RedisCost Between(RedisSnapshot before, RedisSnapshot after)
    {
        var byCommand = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var microseconds = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (command, calls) in after.Calls)
        {
            var delta = calls - before.Calls.GetValueOrDefault(command);
            if (delta > 0 && command != "info")
            {
                byCommand[command] = delta;
                microseconds[command] = after.Microseconds[command] - before.Microseconds.GetValueOrDefault(command);
            }
        }

        long Sum(params string[] commands) => commands.Sum(c => byCommand.GetValueOrDefault(c));
        var byNode = after.Nodes.Count == 0 ? null : new SortedDictionary<string, NodeCost>(StringComparer.Ordinal);
        foreach (var node in after.Nodes)
        {
            var earlier = before.Nodes.FirstOrDefault(n => n.Port == node.Port);
            byNode![$"node {node.Number}"] = new NodeCost(node.Role, node.CpuSeconds - (earlier?.CpuSeconds ?? 0), node.Commands - (earlier?.Commands ?? 0));
        }

        return new RedisCost(
            byCommand.Values.Sum(),
            // The closing INFO's own read is already counted in the second snapshot.
            after.Reads - before.Reads - 1,
            Sum("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall"),
            Sum("exec"),
            after.CpuSeconds - before.CpuSeconds,
            after.UsedMemory - before.UsedMemory,
            byCommand,
            microseconds)
        {
            ByNode = byNode,
        };
    }

    /// <summary>On a cluster, each node's CPU and commands over the phase, by node number (<see cref="NodeCounters.Number"/>), masters and replicas; the other figures sum the masters only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SortedDictionary<string, NodeCost>? ByNode { get; init; }

    /// <summary>CPU of every redis-server of the phase: on a cluster, replicas included.</summary>
    [JsonIgnore]
    public double ServerCpuSeconds => ByNode?.Values.Sum(n => n.CpuSeconds) ?? CpuSeconds;

    public PerTask Per(int tasks) => new(
        (double)Commands / tasks,
        (double)Reads / tasks,
        (double)ScriptCalls / tasks,
        (double)Transactions / tasks,
        CpuSeconds * 1e6 / tasks);
}

/// <summary>One cluster node's share of a phase: its role at the end, its CPU (seconds) and the commands it executed.</summary>
internal sealed record NodeCost(string Role, double CpuSeconds, long Commands);

/// <summary>Costs divided by the number of tasks.</summary>
internal sealed record PerTask(double Commands, double Reads, double ScriptCalls, double Transactions, double RedisCpuMicroseconds);

/// <summary>W1 (and W4): one client scheduling tasks due in 10 minutes.</summary>
internal sealed record ScheduleResult(string Mode, int Tasks, double Seconds, double ClientCpuSeconds, RedisCost Redis, double LoadAverage)
{
    public double TasksPerSecond => Tasks / Seconds;

    /// <summary>W4: Redis memory per pending task.</summary>
    public double BytesPerTask => (double)Redis.UsedMemoryDelta / Tasks;

    public PerTask PerTask => Redis.Per(Tasks);

    /// <summary>CPU seconds that processes other than Redis, the agent and the coordinator used meanwhile.</summary>
    public double OtherCpuSeconds { get; init; }

    /// <summary>CPU seconds the hypervisor gave to other machines meanwhile.</summary>
    public double StealSeconds { get; init; }

    /// <summary>Modes seq and sync: the median time of one call; 0 otherwise.</summary>
    public double P50Milliseconds { get; init; }

    /// <summary>Modes seq and sync: the 99th percentile time of one call; 0 otherwise.</summary>
    public double P99Milliseconds { get; init; }
}

/// <summary>W2: workers draining tasks that are already due.</summary>
/// <param name="Seconds">From the workers' start to the last handler start (or to the time cap).</param>
/// <param name="FirstStartMs">From the workers' start to the first handler start.</param>
/// <param name="Finished">False when the time cap stopped the drain before every task ran.</param>
internal sealed record DrainResult(
    int Workers,
    int Pending,
    int Tasks,
    int Handled,
    int Duplicates,
    bool Finished,
    double Seconds,
    double FirstStartMs,
    double FillSeconds,
    double WorkerCpuSeconds,
    RedisCost Redis,
    double LoadAverage)
{
    public double TasksPerSecond => Handled / Seconds;

    public PerTask PerTask => Redis.Per(Math.Max(1, Handled));

    /// <summary>CPU seconds that processes other than Redis, the workers and the coordinator used meanwhile.</summary>
    public double OtherCpuSeconds { get; init; }

    /// <summary>CPU seconds the hypervisor gave to other machines meanwhile.</summary>
    public double StealSeconds { get; init; }

    /// <summary>What the workers' JIT and garbage collector did from <c>go</c> to the last handler start.</summary>
    public WorkerRuntimeCosts Runtime { get; init; }

    /// <summary>
    /// <see cref="WorkerRuntimeCosts.CompiledMethods"/>, also as a property of its own: results.json
    /// files written before <see cref="Runtime"/> existed carry only this, and <c>--report</c> reads them.
    /// </summary>
    public long CompiledMethods
    {
        get => Runtime.CompiledMethods;
        init => Runtime = Runtime with { CompiledMethods = value };
    }
}

/// <summary>
/// What the workers' runtime did during a drain beyond their own code, from <c>go</c> to the last
/// handler start (the agent's <c>STOPPED</c> line): methods the JIT compiled (tier-0 code and the
/// tiered-up versions that replace it), garbage collections (every generation; gen1 and gen2 are
/// counted again on their own) and their total pause. Summed over worker processes.
/// </summary>
internal readonly record struct WorkerRuntimeCosts(long CompiledMethods, long Collections, long Gen1Collections, long Gen2Collections, double GcPauseSeconds)
{
    public static WorkerRuntimeCosts operator +(WorkerRuntimeCosts a, WorkerRuntimeCosts b) => new(
        a.CompiledMethods + b.CompiledMethods,
        a.Collections + b.Collections,
        a.Gen1Collections + b.Gen1Collections,
        a.Gen2Collections + b.Gen2Collections,
        a.GcPauseSeconds + b.GcPauseSeconds);

    /// <summary>Reads the counts after a STOPPED line's CPU field; an agent that sends fewer leaves the rest 0.</summary>
    public static WorkerRuntimeCosts Parse(IReadOnlyList<string> words)
    {
        var numbers = new long[5];
        for (var i = 0; i < Math.Min(words.Count, numbers.Length); i++)
        {
            numbers[i] = long.Parse(words[i], System.Globalization.CultureInfo.InvariantCulture);
        }

        return new(numbers[0], numbers[1], numbers[2], numbers[3], TimeSpan.FromTicks(numbers[4]).TotalSeconds);
    }
}

/// <summary>W3: lateness of tasks due at their own instants, at low load.</summary>
internal sealed record LatenessResult(
    int Pending,
    int Tasks,
    int Handled,
    int Duplicates,
    int Early,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    double MinMs,
    double MeanMs,
    double SchedulingSeconds,
    bool ScheduledBeforeFirstDue,
    double WorkerCpuSeconds,
    RedisCost Redis,
    double LoadAverage)
{
    public PerTask PerTask => Redis.Per(Tasks);

    /// <summary>Wall time of the measured window, from the first snapshot to the last.</summary>
    public double WindowSeconds { get; init; }

    /// <summary>CPU seconds that processes other than Redis, the agents and the coordinator used meanwhile.</summary>
    public double OtherCpuSeconds { get; init; }

    /// <summary>CPU seconds the hypervisor gave to other machines meanwhile.</summary>
    public double StealSeconds { get; init; }

    /// <summary>Every task's lateness in ms (negative: early), in task order; NaN for a task that never ran. Kept for the main W3 run only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double[]? Samples { get; init; }
}

/// <summary>One redis-benchmark line: the ceiling the machine and Redis allow.</summary>
internal sealed record CeilingResult(string Test, int Connections, int Pipeline, double RequestsPerSecond, double P50Ms, string Command);

/// <summary>Everything measured for one system.</summary>
internal sealed class SystemResult
{
    public required string Name { get; init; }

    public required string Title { get; init; }

    /// <summary>Systems of one family share a client: W1 and W4 are measured for the first of them only.</summary>
    public required string ClientFamily { get; init; }

    public string Description { get; set; } = string.Empty;

    public List<ScheduleResult> Schedule { get; } = [];

    /// <summary>Set when W1/W4 were measured for another system of the same client family and are shown here too.</summary>
    public string? ScheduleMeasuredWith { get; set; }

    public DrainResult? Drain { get; set; }

    /// <summary>W2 again, by a worker process that first drained as many warm-up tasks (its code compiled and tiered up).</summary>
    public DrainResult? DrainWarm { get; set; }

    public LatenessResult? Lateness { get; set; }

    public List<DrainResult> DrainByPending { get; } = [];

    public List<LatenessResult> LatenessByPending { get; } = [];

    public List<DrainResult> DrainByWorkers { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>The phases with a Redis cost of their own, each with the tasks it is divided by: W1 per mode (unless measured for another system), W2, W2 warmed up, W3.</summary>
    public IEnumerable<(string Phase, RedisCost Cost, int Tasks)> MeasuredPhases()
    {
        foreach (var r in Schedule.Where(_ => ScheduleMeasuredWith is null))
        {
            yield return ($"W1 {r.Mode}", r.Redis, r.Tasks);
        }

        foreach (var (name, d) in new[] { ("W2 drain", Drain), ("W2 drain, warmed up", DrainWarm) })
        {
            if (d is not null)
            {
                yield return (name, d.Redis, Math.Max(1, d.Handled));
            }
        }

        if (Lateness is { } l)
        {
            yield return ("W3 lateness", l.Redis, l.Tasks);
        }
    }
}

/// <summary>A whole run: how, where, and what was measured.</summary>
internal sealed class RunResult
{
    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; set; }

    public required string CommandLine { get; init; }

    public required LoadTestOptions Options { get; init; }

    public required MachineInfo Machine { get; init; }

    /// <summary>RedisScheduler's task types and partitions (<c>--set redisscheduler:types=N</c>, <c>partitions=N</c>), and on a cluster their masters.</summary>
    public string TaskTypes { get; init; } = string.Empty;

    public List<double[]> LoadAverages { get; } = [];

    public List<CeilingResult> Ceiling { get; } = [];

    /// <summary>W1 for StackExchange.Redis alone (<see cref="SystemDefinition.BareClient"/>): the client-side ceiling.</summary>
    public List<ScheduleResult> ClientCeiling { get; } = [];

    public string ClientCeilingDescription { get; set; } = string.Empty;

    public List<SystemResult> Systems { get; } = [];

    public List<string> Warnings { get; } = [];
}

/// <summary>The machine and software the figures come from.</summary>
internal sealed record MachineInfo(int Cores, string Cpu, double MemoryGiB, string Os, string Dotnet, string Redis, string RedisBenchmark, string GitCommit, double[] LoadAverageAtStart);
