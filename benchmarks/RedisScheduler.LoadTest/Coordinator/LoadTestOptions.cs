using System.Globalization;
using System.Text.Json.Serialization;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>The load test's command line; every figure has a default, and <c>--quick</c> shrinks them.</summary>
internal sealed class LoadTestOptions
{
    public const string Usage = """
        RedisScheduler load test: W1-W4 for RedisScheduler and Hangfire, each against its own fresh redis-server.

        dotnet run -c Release --project benchmarks/RedisScheduler.LoadTest -- [options]

          --quick                  small figures (N = 2,000 ...), about 2 minutes; results go to <out>/quick
          --workloads LIST         w1,w2,w2-warm,w3,w4,ceiling,scale-pending,scale-workers (default: all of them);
                                   also: core = w1-w4 + w2-warm + ceiling, scaling = scale-pending + scale-workers;
                                   w2-warm is W2 by a worker process that first drained N warm-up tasks, in
                                   up to 5 rounds until one JIT-compiles under 2 % of what the first did
          --systems LIST           redisscheduler,hangfire,hangfire-1s,hangfire-100ms (default: all)
          --scale-systems LIST     systems that run the scaling workloads (default: redisscheduler,hangfire-100ms)
          --tasks N                W1, W2 and W4 task count (default 100,000)
          --concurrency N          handler concurrency of each worker process (default 32)
          --lateness-tasks N       W3 task count (default 1,000)
          --lateness-window S      W3: due instants spread over S seconds (default 10), starting 2 s after scheduling
          --pending LIST           scale-pending: tasks pending further in the future (default 10000,100000,1000000)
          --hangfire-max-pending N scale-pending levels above N are skipped for Hangfire (default 100,000):
                                   filling its schedule costs about 0.5 ms of client CPU per job
          --scale-tasks N          W2 task count in the scaling runs (default 20,000; quick: --tasks)
          --workers LIST           scale-workers: worker process counts (default 1,2,4)
          --batch-size N           W1 batch mode: tasks per ScheduleTasksAsync call (default 10,000)
          --clients N              W1 concurrent mode: concurrent callers in the one client process (default 32)
          --drain-cap S            W2: stop waiting after S seconds and report the rate so far (default 45)
          --set SYSTEM:KEY=VALUE   an extra agent setting for one system, for experiments (repeatable), e.g.
                                   redisscheduler:max-idle-ms=5000 (MaxIdleDelay) or hangfire:polling-ms=500
          --redis single|cluster|cluster-masters
                                   what each measurement runs against: one redis-server (default), a
                                   3-master + 3-replica Redis Cluster on loopback (use --systems redisscheduler),
                                   or its 3 masters alone (no replicas competing for the cores)
          --out DIR                where results.md, results.json and the charts go
                                   (default: benchmarks/results/loadtest, or .../loadtest/quick with --quick)
          --report FILE            no run: rewrite results.md and the charts from a results.json (beside it, or into --out)
          --help
        """;

    private static readonly string[] AllWorkloads = ["ceiling", "w1", "w2", "w2-warm", "w3", "w4", "scale-pending", "scale-workers"];

    [JsonInclude]
    public bool Quick { get; private set; }

    [JsonInclude]
    public HashSet<string> Workloads { get; private set; } = [.. AllWorkloads];

    [JsonInclude]
    public List<string> Systems { get; private set; } = [.. SystemDefinition.All.Select(s => s.Name)];

    [JsonInclude]
    public List<string> ScaleSystems { get; private set; } = ["redisscheduler", "hangfire-100ms"];

    [JsonInclude]
    public int Tasks { get; private set; } = 100_000;

    [JsonInclude]
    public int Concurrency { get; private set; } = 32;

    [JsonInclude]
    public int LatenessTasks { get; private set; } = 1_000;

    [JsonInclude]
    public double LatenessWindowSeconds { get; private set; } = 10;

    [JsonInclude]
    public double LatenessLeadSeconds { get; private set; } = 2;

    [JsonInclude]
    public List<int> Pending { get; private set; } = [10_000, 100_000, 1_000_000];

    [JsonInclude]
    public int HangfireMaxPending { get; private set; } = 100_000;

    [JsonInclude]
    public int ScaleTasks { get; private set; }

    [JsonInclude]
    public List<int> Workers { get; private set; } = [1, 2, 4];

    [JsonInclude]
    public int BatchSize { get; private set; } = 10_000;

    [JsonInclude]
    public int Clients { get; private set; } = 32;

    [JsonInclude]
    public double DrainCapSeconds { get; private set; } = 45;

    [JsonInclude]
    public string? Out { get; private set; }

    /// <summary>"single", "cluster" or "cluster-masters" (see <see cref="MeasuredRedis.Topology"/>).</summary>
    [JsonInclude]
    public string Redis { get; private set; } = "single";

    /// <summary>Extra agent settings per system (<c>--set SYSTEM:KEY=VALUE</c>).</summary>
    public Dictionary<string, List<string>> ExtraSettings { get; } = new(StringComparer.Ordinal);

    [JsonIgnore]
    public bool Help { get; private set; }

    /// <summary>A results.json to turn into the report again, instead of running.</summary>
    [JsonIgnore]
    public string? Report { get; private set; }

    public bool Runs(string workload) => Workloads.Contains(workload);

    public static LoadTestOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadTestOptions();
        if (args.Contains("--quick"))
        {
            options.Quick = true;
            options.Tasks = 2_000;
            options.LatenessTasks = 200;
            options.LatenessWindowSeconds = 4;
            options.Pending = [10_000];
            options.HangfireMaxPending = 10_000;
            options.Workers = [1, 2];
            options.DrainCapSeconds = 20;
        }

        int? scaleTasks = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Value().Replace(",", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            List<int> Ints() => [.. Value().Split(',').Select(v => int.Parse(v.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture))];
            List<string> Names() => [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--help" or "-h":
                    options.Help = true;
                    break;
                case "--workloads":
                    options.Workloads = [.. Names().SelectMany(w => w switch
                    {
                        "all" => AllWorkloads,
                        "core" => ["ceiling", "w1", "w2", "w2-warm", "w3", "w4"],
                        "scaling" => ["scale-pending", "scale-workers"],
                        _ when AllWorkloads.Contains(w) => [w],
                        _ => throw new ArgumentException($"Unknown workload '{w}'; choose from {string.Join(", ", AllWorkloads)}, core, scaling, all."),
                    })];
                    break;
                case "--systems":
                    options.Systems = CheckSystems(Names());
                    break;
                case "--scale-systems":
                    options.ScaleSystems = CheckSystems(Names());
                    break;
                case "--tasks":
                    options.Tasks = Int();
                    break;
                case "--concurrency":
                    options.Concurrency = Int();
                    break;
                case "--lateness-tasks":
                    options.LatenessTasks = Int();
                    break;
                case "--lateness-window":
                    options.LatenessWindowSeconds = double.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--pending":
                    options.Pending = Ints();
                    break;
                case "--hangfire-max-pending":
                    options.HangfireMaxPending = Int();
                    break;
                case "--scale-tasks":
                    scaleTasks = Int();
                    break;
                case "--workers":
                    options.Workers = Ints();
                    break;
                case "--batch-size":
                    options.BatchSize = Int();
                    break;
                case "--clients":
                    options.Clients = Int();
                    break;
                case "--drain-cap":
                    options.DrainCapSeconds = double.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--out":
                    options.Out = Value();
                    break;
                case "--redis":
                    var topology = Value();
                    options.Redis = topology is "single" or "cluster" or "cluster-masters" ? topology : throw new ArgumentException($"--redis takes 'single', 'cluster' or 'cluster-masters', not '{topology}'.");
                    break;
                case "--report":
                    options.Report = Value();
                    break;
                case "--set":
                    var setting = Value().Split(':', 2);
                    if (setting.Length != 2 || !setting[1].Contains('=', StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"--set takes SYSTEM:KEY=VALUE, not '{string.Join(':', setting)}'.");
                    }

                    CheckSystems([setting[0]]);
                    if (!options.ExtraSettings.TryGetValue(setting[0], out var list))
                    {
                        options.ExtraSettings[setting[0]] = list = [];
                    }

                    list.Add(setting[1]);
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'. Run with --help for the options.");
            }
        }

        // Scaling compares costs per task, which 20,000 tasks show as well as 100,000; Hangfire drains a
        // few hundred tasks a second here, so a larger figure only makes the run longer.
        options.ScaleTasks = scaleTasks ?? (options.Quick ? options.Tasks : Math.Min(options.Tasks, 20_000));
        if (options.Tasks is < 1 or > 900_000)
        {
            // Measured order ids must keep six digits so the payload stays 110 bytes (TaskNumbers).
            throw new ArgumentException("--tasks must be from 1 to 900,000.");
        }

        return options;
    }

    private static List<string> CheckSystems(List<string> names)
    {
        foreach (var name in names.Where(n => SystemDefinition.All.All(s => s.Name != n)))
        {
            throw new ArgumentException($"Unknown system '{name}'; choose from {string.Join(", ", SystemDefinition.All.Select(s => s.Name))}.");
        }

        return names;
    }
}
