using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisScheduler.Handling;
using RedisScheduler.Registry;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.HealthChecks;

/// <summary>
/// Readiness: Redis answers PING within <see cref="RedisSchedulerHealthCheckOptions.RedisTimeout"/>
/// and every connected primary has the scripts (SCRIPT EXISTS of claim.lua's SHA; a Redis that
/// restarted gets it loaded again here). Then, per task type this instance handles (and
/// <see cref="RedisSchedulerHealthCheckOptions.TaskTypes"/>), one read-only health.lua call:
/// backlog, oldest lateness and dead letters, reported as data and compared with the Degraded
/// thresholds. No scan: O(log n) per type.
/// </summary>
internal sealed class RedisSchedulerReadinessCheck(
    RedisConnection connection,
    TaskTypeNames names,
    InstanceWorkers workers,
    TimeProvider time,
    RedisSchedulerHealthCheckOptions health) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        using var timeout = new CancellationTokenSource(health.RedisTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var multiplexer = await connection.GetMultiplexerAsync(linked.Token).ConfigureAwait(false);
            var database = multiplexer.GetDatabase();
            data["pingMilliseconds"] = Math.Round((await database.PingAsync().WaitAsync(linked.Token).ConfigureAwait(false)).TotalMilliseconds, 3);
            await EnsureScriptsAsync(multiplexer, linked.Token).ConfigureAwait(false);

            var degraded = new List<string>();
            foreach (var taskType in workers.Pulses.Select(p => p.TaskType).Concat(health.TaskTypes).Distinct(StringComparer.Ordinal))
            {
                var keys = names.GetKeys(taskType);
                var reply = (long[])(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Health, keys.All, [])
                    .WaitAsync(linked.Token).ConfigureAwait(false))!;
                var (now, backlog, oldest, dead) = (reply[0], reply[1], reply[2], reply[3]);
                var lateness = oldest < 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Max(0, now - oldest));
                data[taskType + ".backlog"] = backlog;
                data[taskType + ".oldestLatenessSeconds"] = Math.Round(lateness.TotalSeconds, 3);
                data[taskType + ".deadLetters"] = dead;
                if (lateness > health.MaxLateness)
                {
                    degraded.Add($"the oldest due task of '{taskType}' is {lateness.TotalSeconds:0.#} s late (threshold {health.MaxLateness.Value.TotalSeconds:0.#} s)");
                }

                if (dead > health.MaxDeadLetters)
                {
                    degraded.Add($"'{taskType}' has {dead} dead letters (threshold {health.MaxDeadLetters})");
                }
            }

            return degraded.Count == 0
                ? HealthCheckResult.Healthy("Redis answers and has the scripts", data)
                : HealthCheckResult.Degraded(string.Join("; ", degraded), data: data);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis did not answer within {health.RedisTimeout}", e, data);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis failed: {e.Message}", e, data);
        }
    }

    /// <summary>SCRIPT EXISTS on each connected primary; a missing script is loaded again (a restarted Redis has none).</summary>
    private static async Task EnsureScriptsAsync(IConnectionMultiplexer multiplexer, CancellationToken cancellationToken)
    {
        var claim = SchedulerScripts.Instance.Claim.For(multiplexer);
        foreach (var endPoint in multiplexer.GetEndPoints())
        {
            var server = multiplexer.GetServer(endPoint);
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            if (!await server.ScriptExistsAsync(claim.Sha1).WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                await server.ScriptLoadAsync(claim.Text).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
