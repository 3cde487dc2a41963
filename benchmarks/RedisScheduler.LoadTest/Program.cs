using RedisScheduler.LoadTest.Agent;
using RedisScheduler.LoadTest.Coordinator;
using RedisScheduler.LoadTest.Reporting;
using RedisScheduler.LoadTest.Systems;

// `dotnet RedisScheduler.LoadTest.dll agent ...` is a RedisScheduler client or worker launched by the
// coordinator (Hangfire's agent is RedisScheduler.LoadTest.Hangfire.dll); anything else runs the load test.
if (args.Length > 0 && args[0] == "agent")
{
    return await AgentMain.RunAsync(args, a => a.System == "bare-client" ? new BareClientAgent() : new RedisSchedulerAgent());
}

LoadTestOptions options;
try
{
    options = LoadTestOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(LoadTestOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(LoadTestOptions.Usage);
    return 0;
}

if (options.Report is { } report)
{
    // No run: the report again from a run's results.json, e.g. after a change to the tables or charts.
    var earlier = await ResultFiles.ReadAsync(report);
    var directory = Path.GetFullPath(options.Out ?? Path.GetDirectoryName(Path.GetFullPath(report))!);
    await ResultFiles.WriteAsync(earlier, directory, includeJson: options.Out is not null);
    Console.WriteLine($"Wrote results.md, lateness.png and throughput.png to {directory}");
    return 0;
}

AgentProcess.ExtraSettings = options.ExtraSettings;
MeasuredRedis.Topology = options.Redis;
var missingAgent = options.Systems.Select(n => SystemDefinition.All.First(s => s.Name == n)).FirstOrDefault(s => !File.Exists(s.AgentAssembly));
if (missingAgent is not null)
{
    Console.Error.WriteLine($"The agent of {missingAgent.Name} is missing at {missingAgent.AgentAssembly}: build the load test with `dotnet build -c Release benchmarks/RedisScheduler.LoadTest` (it builds the Hangfire agent too).");
    return 1;
}

string redisVersion;
var placementWarnings = new List<string>();
string taskTypes;
try
{
    using var probe = MeasuredRedis.Start();
    redisVersion = probe.Snapshot().Version;
    taskTypes = TypePlacementCheck.Describe(probe, options.ExtraSettings.GetValueOrDefault("redisscheduler", []), placementWarnings);
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

var outDirectory = Path.GetFullPath(options.Out ?? Path.Combine(RepositoryRoot(), "benchmarks", "results", "loadtest", options.Quick ? "quick" : string.Empty));
var run = new RunResult
{
    StartedAt = DateTimeOffset.UtcNow,
    CommandLine = "dotnet run -c Release --project benchmarks/RedisScheduler.LoadTest --" + (args.Length > 0 ? " " + string.Join(' ', args) : string.Empty),
    Options = options,
    Machine = MachineLoad.Describe(redisVersion),
    TaskTypes = taskTypes,
};
run.Warnings.AddRange(placementWarnings);
ConsoleProgress.Line($"RedisScheduler load test{(options.Quick ? " (quick)" : string.Empty)}: {run.Machine.Cores} cores, Redis {redisVersion}, load average {string.Join(' ', run.Machine.LoadAverageAtStart)}");
ConsoleProgress.Line($"Workloads: {string.Join(", ", options.Workloads)}; systems: {string.Join(", ", options.Systems)}; results into {outDirectory}");
ConsoleProgress.Line($"RedisScheduler's task types ({options.Redis}): {taskTypes}");
// What other processes use right now, over 2 s: the load average would also count an earlier run's own threads.
var idleBefore = MachineCpu.Now();
await Task.Delay(TimeSpan.FromSeconds(2));
var othersAtStart = MachineCpu.Now().OthersSince(idleBefore, 0) / 2;
if (othersAtStart > 0.25)
{
    var warning = $"Other processes kept {othersAtStart:P0} of a core busy when the run started: they compete with the measurement; consider running again later.";
    ConsoleProgress.Line(warning);
    run.Warnings.Add(warning);
}

await new LoadTestRunner(options, run).RunAsync();
run.FinishedAt = DateTimeOffset.UtcNow;
run.LoadAverages.Add(MachineLoad.Current());

var markdown = await ResultFiles.WriteAsync(run, outDirectory);
Console.WriteLine();
Console.WriteLine(markdown);
ConsoleProgress.Line($"Wrote results.md, results.json, lateness.png and throughput.png to {outDirectory}");
return run.Warnings.Any(w => w.Contains("failed", StringComparison.Ordinal)) ? 1 : 0;

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "RedisScheduler.sln")))
        {
            return directory.FullName;
        }
    }

    return Environment.CurrentDirectory;
}
