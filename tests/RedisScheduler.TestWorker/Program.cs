// Usage: RedisScheduler.TestWorker <redis configuration> <key prefix> <lease ms> [<heartbeat interval ms> <heartbeat timeout ms>]
// Handles "probe" tasks by printing "STARTED <task id> <attempt>" and then holding the task until
// the process is killed, so a test can kill a worker that is in the middle of a task.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedisScheduler;

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
        Console.Out.WriteLine($"STARTED {context.TaskId} {context.Attempt}");
        await Console.Out.FlushAsync(cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
