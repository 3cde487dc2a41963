// Usage: RedisScheduler.TestWorker <redis configuration> <key prefix> <lease ms> [<heartbeat interval ms> <heartbeat timeout ms>]
// Handles "probe" tasks by printing "TRACE <task id> <trace id> <parent span id>" (its handler span,
// for the cross-process tracing test) and "STARTED <task id> <attempt>", and then holding the task
// until the process is killed, so a test can kill a worker that is in the middle of a task.
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedisScheduler;

// A plain listener, as any tracing SDK registers one: without it the library creates no spans.
using var listener = new ActivityListener
{
    ShouldListenTo = source => source.Name == RedisSchedulerDiagnostics.ActivitySourceName,
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
};
ActivitySource.AddActivityListener(listener);

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Services.AddRedisScheduler(o =>
{
    o.Configuration = args[0];
    o.KeyPrefix = args[1];
    o.LeaseDuration = TimeSpan.FromMilliseconds(int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
    if (args.Length >= 5)
    {
        o.HeartbeatInterval = TimeSpan.FromMilliseconds(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        o.HeartbeatTimeout = TimeSpan.FromMilliseconds(int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));
    }
}).AddTaskHandler<HoldingHandler>(o => o.Concurrency = 1);
await builder.Build().RunAsync();

[TaskType("probe")]
internal sealed record HeldTask(int Number);

internal sealed class HoldingHandler : TaskHandler<HeldTask>
{
    protected override async Task HandleAsync(HeldTask payload, TaskContext context, CancellationToken cancellationToken)
    {
        Console.Out.WriteLine($"TRACE {context.TaskId} {Activity.Current?.TraceId} {Activity.Current?.ParentSpanId}");
        Console.Out.WriteLine($"STARTED {context.TaskId} {context.Attempt}");
        await Console.Out.FlushAsync(cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
