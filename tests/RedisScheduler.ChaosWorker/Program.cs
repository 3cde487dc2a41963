// Usage: RedisScheduler.ChaosWorker <redis configuration> <key prefix> <lease ms> <concurrency> <retry initial delay ms> <max attempts>
// Handles "chaos" tasks for ChaosTests, which runs several copies of it and kills them with SIGKILL.
// Every line on stdout is flushed at once, so a line written before a kill is never lost:
//   ready <pid>
//   start <task id> <attempt> <handler start, Unix ms> <TaskContext.DueAt, Unix ms> <pid>
//   done <task id> <attempt> <handler start, Unix ms> <TaskContext.DueAt, Unix ms> <pid>
//   parents <task id> <attempt> <pid> <parent id>=<outcome>,...   (continuations, "chaos-join")
// "done" is written when the handler returns, before the acknowledgement reaches Redis. Warnings
// of the scheduler (lost leases, failed Redis calls) go to stderr, one "log ..." line each.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedisScheduler;
using RedisScheduler.ChaosWorker;

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddProvider(new StandardErrorLoggerProvider());
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services
    .AddRedisScheduler(o =>
    {
        o.Configuration = args[0];
        o.KeyPrefix = args[1];
        o.LeaseDuration = TimeSpan.FromMilliseconds(int.Parse(args[2], CultureInfo.InvariantCulture));
    })
    .AddTaskHandler<ChaosHandler>(o =>
    {
        o.Concurrency = int.Parse(args[3], CultureInfo.InvariantCulture);
        // No jitter, so the test can check every gap between attempts against the exact delay.
        o.Retry = new RetryPolicy
        {
            InitialDelay = TimeSpan.FromMilliseconds(int.Parse(args[4], CultureInfo.InvariantCulture)),
            JitterFactor = 0,
            MaxAttempts = int.Parse(args[5], CultureInfo.InvariantCulture),
        };
    })
    .AddTaskHandler<ChaosJoinHandler>(o => o.Concurrency = int.Parse(args[3], CultureInfo.InvariantCulture));
using var host = builder.Build();
await host.StartAsync();
ChaosOutput.WriteLine($"ready {Environment.ProcessId}");
await host.WaitForShutdownAsync();
