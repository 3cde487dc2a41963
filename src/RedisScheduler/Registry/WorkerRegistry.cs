using System.Reflection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedisScheduler.Handling;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Registry;

/// <summary>
/// Registers this instance in the worker registry when its host starts, renews the registration
/// every <see cref="RedisSchedulerOptions.HeartbeatInterval"/> with how many tasks it runs and the ids
/// of at most <see cref="WorkerRecord.MaxRunningTaskIds"/> of them, and
/// deregisters when the host stops gracefully. Each heartbeat is one registry.lua call, whatever
/// the number of tasks or types. An instance that dies without deregistering expires
/// <see cref="RedisSchedulerOptions.HeartbeatTimeout"/> after its last heartbeat. Registered once,
/// before the first task handler, so it stops after the handlers have drained.
/// </summary>
internal sealed class WorkerRegistry(
    RedisConnection connection,
    RegistryKeys keys,
    InstanceWorkers workers,
    IOptions<RedisSchedulerOptions> options,
    TimeProvider time,
    ILogger<WorkerRegistry> logger) : IHostedService, IDisposable
{
    private static readonly RedisValue Beat = "beat";
    private static readonly RedisValue Leave = "leave";

    private readonly CancellationTokenSource stopping = new();
    private Task? heartbeats;
    private DateTimeOffset startedAt;

    /// <summary>Unique per process run.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..12]}";

    internal static string LibraryVersion { get; } =
        typeof(WorkerRegistry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(WorkerRegistry).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        startedAt = time.GetUtcNow();
        // In the background: a host starts even while Redis is unreachable, and registers once it is back.
        heartbeats = SendHeartbeatsAsync(stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (heartbeats is null)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        await heartbeats.ConfigureAwait(false);
        try
        {
            var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
            await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Registry, keys.All, [Leave, InstanceId])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
        {
            Log.DeregistrationFailed(logger, e, InstanceId, options.Value.HeartbeatTimeout);
        }
    }

    public void Dispose() => stopping.Dispose();

    /// <summary>One heartbeat: registers or renews this instance with its running count and a bounded sample of the running ids.</summary>
    internal async Task BeatAsync(CancellationToken cancellationToken)
    {
        var value = options.Value;
        var pulses = workers.Pulses;
        var args = new RedisValue[4 + pulses.Count];
        args[0] = Beat;
        args[1] = InstanceId;
        args[2] = (long)value.HeartbeatTimeout.TotalMilliseconds;
        args[3] = WorkerRecord.Write(Environment.MachineName, Environment.ProcessId, LibraryVersion, startedAt, value.HeartbeatTimeout, workers.Running, workers.RunningTaskIds(WorkerRecord.MaxRunningTaskIds), pulses);
        for (var i = 0; i < pulses.Count; i++)
        {
            args[4 + i] = pulses[i].TaskType;
        }

        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Registry, keys.All, args).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SendHeartbeatsAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.HeartbeatInterval;
        try
        {
            while (true)
            {
                try
                {
                    await BeatAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    Log.HeartbeatFailed(logger, e, InstanceId, interval);
                }

                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }
}
