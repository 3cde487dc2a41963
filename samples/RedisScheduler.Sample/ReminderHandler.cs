using Microsoft.Extensions.Hosting;

namespace RedisScheduler.Sample;

/// <summary>Runs each reminder when it is due, in whichever instance claims it first.</summary>
internal sealed class ReminderHandler(RunLog runLog, IHostEnvironment host) : TaskHandler<Reminder>
{
    protected override Task HandleAsync(Reminder payload, TaskContext context, CancellationToken cancellationToken)
    {
        // DueAt is by the Redis server's clock; that server runs on this machine, so the clocks agree.
        var lateness = DateTimeOffset.UtcNow - context.DueAt;
        runLog.Add(new TaskRun(host.ApplicationName, context.TaskId, context.DueAt, lateness));
        Console.WriteLine($"{host.ApplicationName} ran {context.TaskId} ({payload.Text}) due {context.DueAt:HH:mm:ss.fff}, {lateness.TotalMilliseconds,5:F1} ms late");
        return Task.CompletedTask;
    }
}
