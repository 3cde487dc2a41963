// Two instances of an app share one Redis: each reminder runs once, in whichever instance is free,
// no earlier than it is due. See README.md for the walk-through.
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RedisScheduler;
using RedisScheduler.Sample;

const int TaskCount = 8;
var timeout = TimeSpan.FromSeconds(30);

// Use the Redis named by REDIS_SCHEDULER_CONFIGURATION, or else a private throwaway redis-server.
var configured = Environment.GetEnvironmentVariable("REDIS_SCHEDULER_CONFIGURATION");
using var privateRedis = string.IsNullOrEmpty(configured) ? RedisServerProcess.Start() : null;
var redisConfiguration = privateRedis?.Configuration ?? configured!;
Console.WriteLine(privateRedis is null ? $"Redis: {redisConfiguration}" : $"Redis: private redis-server on {redisConfiguration}");

// REDIS_SCHEDULER_SAMPLE_TELEMETRY=1 (or --telemetry) prints every span, and the metrics when the
// sample ends: one trace runs from "schedule reminders" through each "send reminder" to its
// "process reminder" in whichever instance ran it. Off by default, so the output stays as CI expects.
var telemetry = Environment.GetEnvironmentVariable("REDIS_SCHEDULER_SAMPLE_TELEMETRY") == "1" || args.Contains("--telemetry");
using var sampleSource = new ActivitySource("RedisScheduler.Sample");
using var tracing = telemetry
    ? Sdk.CreateTracerProviderBuilder().AddSource(RedisSchedulerDiagnostics.ActivitySourceName, sampleSource.Name).AddConsoleExporter().Build()
    : null;
var metrics = telemetry
    ? Sdk.CreateMeterProviderBuilder().AddMeter(RedisSchedulerDiagnostics.MeterName).AddConsoleExporter().Build()
    : null;

var runLog = new RunLog();
using var instanceA = BuildWorkerHost("instance-A");
using var instanceB = BuildWorkerHost("instance-B");
await instanceA.StartAsync();
await instanceB.StartAsync();

// Any instance can schedule; the task runs wherever a ReminderHandler is free when it is due.
var scheduler = instanceA.Services.GetRequiredService<ITaskScheduler>();
var scheduled = new List<string>();
using (sampleSource.StartActivity("schedule reminders"))
{
    for (var i = 1; i <= TaskCount; i++)
    {
        var dueAt = DateTimeOffset.UtcNow.AddMilliseconds(Random.Shared.Next(1_000, 5_000));
        scheduled.Add(await scheduler.ScheduleTaskAsync(dueAt, new Reminder($"reminder {i}")));
    }
}

Console.WriteLine($"Scheduled {TaskCount} reminders due in 1-5 s.");

// Wait until every task has run, for at most 30 s; Ctrl+C stops the hosts and ends the wait too.
var stopping = instanceA.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
var waited = Stopwatch.StartNew();
while (!scheduled.All(runLog.HasRun) && waited.Elapsed < timeout && !stopping.IsCancellationRequested)
{
    await Task.Delay(100);
}

await Task.WhenAll(instanceA.StopAsync(), instanceB.StopAsync());
// Exports the metrics once, lateness among them.
metrics?.Dispose();

// Runs of tasks left over from an earlier run against the same Redis are not this run's business.
var runs = runLog.Runs.Where(r => scheduled.Contains(r.TaskId)).ToList();
var missing = scheduled.Count(id => !runs.Exists(r => r.TaskId == id));
var ranTwice = runs.GroupBy(r => r.TaskId).Count(g => g.Count() > 1);
var early = runs.Count(r => r.Lateness < TimeSpan.Zero);
var lateness = runs.Select(r => r.Lateness.TotalMilliseconds).DefaultIfEmpty().ToList();
var byInstance = string.Join(", ", runs.GroupBy(r => r.Instance).OrderBy(g => g.Key).Select(g => $"{g.Key} ran {g.Count()}"));
Console.WriteLine($"{runs.Count} runs of {TaskCount} tasks ({byInstance}); lateness max {lateness.Max():F1} ms, avg {lateness.Average():F1} ms.");

if (missing > 0 || ranTwice > 0 || early > 0)
{
    Console.Error.WriteLine($"FAILED: {missing} never ran, {ranTwice} ran more than once, {early} started early.");
    return 1;
}

Console.WriteLine("OK: every task ran exactly once, none early.");
return 0;

// One instance of the app: its own host, its own connection to Redis, its own ReminderHandler worker.
IHost BuildWorkerHost(string instanceName)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = instanceName });
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddSingleton(runLog);
    builder.Services
        .AddRedisScheduler(options =>
        {
            options.Configuration = redisConfiguration;
            options.KeyPrefix = "redis-scheduler-sample";
        })
        .AddTaskHandler<ReminderHandler>();
    return builder.Build();
}
