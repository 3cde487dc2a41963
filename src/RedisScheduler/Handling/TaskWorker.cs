using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>
/// The fetch loop behind one <see cref="TaskHandler{T}"/>: claims due tasks with claim.lua while it
/// has free slots, runs them, and acknowledges, retries or releases each. When idle it sleeps until
/// the next due time or lease expiry (by the server's clock), woken early by the type's wake channel,
/// and never longer than <see cref="RedisSchedulerOptions.MaxIdleDelay"/>. No blocking Redis command
/// is used, so the shared multiplexer is never held up.
/// </summary>
internal sealed class TaskWorker(
    TaskTypeKeys keys,
    int concurrency,
    RedisSchedulerOptions options,
    RedisConnection connection,
    ILogger logger,
    TimeProvider time,
    Func<ClaimedTask, CancellationToken, Task> execute)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxRedisBackoff = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, ClaimedTask> running = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var signal = new WakeSignal();
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        Action<RedisChannel, RedisValue> onWake = (_, _) => signal.Set();
        var channel = RedisChannel.Literal(keys.WakeChannel);
        ISubscriber? subscriber = null;
        Log.WorkerStarted(logger, keys.TaskType, concurrency);
        var renewal = RenewLeasesAsync(stoppingToken);
        try
        {
            var failures = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var wanted = 1;
                while (wanted < concurrency && slots.Wait(0, CancellationToken.None))
                {
                    wanted++;
                }

                IReadOnlyList<ClaimedTask> claimed;
                TimeSpan idleDelay;
                try
                {
                    var database = await connection.GetDatabaseAsync(stoppingToken).ConfigureAwait(false);
                    if (subscriber is null)
                    {
                        var candidate = database.Multiplexer.GetSubscriber();
                        await candidate.SubscribeAsync(channel, onWake).ConfigureAwait(false);
                        subscriber = candidate;
                    }

                    (claimed, idleDelay) = await ClaimAsync(database, wanted).ConfigureAwait(false);
                    failures = 0;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    slots.Release(wanted);
                    throw;
                }
                catch (Exception e)
                {
                    // Any failure gives the slots back, or stopping would wait for them for ever.
                    slots.Release(wanted);
                    var backoff = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, failures++), MaxRedisBackoff.TotalMilliseconds));
                    Log.RedisCallFailed(logger, e, keys.TaskType, backoff);
                    await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                if (claimed.Count < wanted)
                {
                    slots.Release(wanted - claimed.Count);
                }

                foreach (var task in claimed)
                {
                    running[task.LeaseMember] = task;
                    _ = Task.Run(() => RunOneAsync(task, slots, stoppingToken), CancellationToken.None);
                }

                if (claimed.Count == 0 && idleDelay > TimeSpan.Zero)
                {
                    await signal.WaitAsync(idleDelay, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            // Every running handler holds a slot until it has acknowledged or released its task.
            for (var i = 0; i < concurrency; i++)
            {
                await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            if (subscriber is not null)
            {
                await subscriber.UnsubscribeAsync(channel, onWake).ConfigureAwait(false);
            }

            await renewal.ConfigureAwait(false);
            Log.WorkerStopped(logger, keys.TaskType);
        }
    }

    private async Task<(IReadOnlyList<ClaimedTask> Claimed, TimeSpan IdleDelay)> ClaimAsync(IDatabase database, int wanted)
    {
        var result = (RedisResult[])(await SchedulerScripts.EvaluateAsync(
            database,
            SchedulerScripts.Instance.Claim,
            keys.All,
            [wanted, (long)options.LeaseDuration.TotalMilliseconds, options.DispatchBatchSize]).ConfigureAwait(false))!;
        var claimed = new List<ClaimedTask>((result.Length - 2) / 3);
        for (var i = 2; i + 2 < result.Length; i += 3)
        {
            claimed.Add(new ClaimedTask((string)result[i]!, (string)result[i + 1]!, TaskRecord.Parse((byte[])result[i + 2]!)));
        }

        var nowMs = (long)result[0];
        var nextWakeMs = (long)result[1];
        var idleDelay = nextWakeMs < 0
            ? options.MaxIdleDelay
            : TimeSpan.FromMilliseconds(Math.Clamp(nextWakeMs - nowMs, 0, (long)options.MaxIdleDelay.TotalMilliseconds));
        return (claimed, idleDelay);
    }

    private async Task RunOneAsync(ClaimedTask task, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            Exception? failure = null;
            var released = false;
            try
            {
                await execute(task, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                released = true;
            }
            catch (Exception e)
            {
                failure = e;
            }

            await FinishAsync(task, failure, released).ConfigureAwait(false);
        }
        finally
        {
            running.TryRemove(task.LeaseMember, out _);
            slots.Release();
        }
    }

    private async Task FinishAsync(ClaimedTask task, Exception? failure, bool released)
    {
        var taskId = TaskId.Format(keys.TaskType, task.LocalId);
        try
        {
            // Redis commands take no cancellation token: finishing must reach Redis even while the host stops.
            var database = await connection.GetDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
            RedisResult result;
            if (released)
            {
                result = await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Release, keys.All, [task.LocalId, task.Token]).ConfigureAwait(false);
                Log.TaskReleased(logger, taskId);
            }
            else if (failure is not null)
            {
                var delay = RetryDelay(task.Record.Attempt);
                Log.TaskFailed(logger, failure, taskId, task.Record.Attempt, delay);
                result = await SchedulerScripts.EvaluateAsync(
                    database,
                    SchedulerScripts.Instance.Retry,
                    keys.All,
                    [task.LocalId, task.Token, (long)delay.TotalMilliseconds, keys.WakeChannel]).ConfigureAwait(false);
            }
            else
            {
                result = await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Ack, keys.All, [task.LocalId, task.Token]).ConfigureAwait(false);
            }

            if ((int)result == 0)
            {
                Log.LeaseLost(logger, taskId);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The lease runs out and the task is handed out again: at least once, never lost.
            Log.RedisCallFailed(logger, e, keys.TaskType, options.LeaseDuration);
        }
    }

    private static TimeSpan RetryDelay(int attempt)
        => TimeSpan.FromMilliseconds(Math.Min(FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)), MaxRetryDelay.TotalMilliseconds));

    /// <summary>Renews the leases of running tasks every third of a lease, so long handlers keep their tasks.</summary>
    private async Task RenewLeasesAsync(CancellationToken stoppingToken)
    {
        var period = options.LeaseDuration / 3;
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (running.IsEmpty)
                {
                    continue;
                }

                var args = new List<RedisValue> { (long)options.LeaseDuration.TotalMilliseconds };
                args.AddRange(running.Keys.Select(m => (RedisValue)m));
                try
                {
                    var database = await connection.GetDatabaseAsync(stoppingToken).ConfigureAwait(false);
                    var lost = (RedisResult[])(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Renew, keys.All, [.. args]).ConfigureAwait(false))!;
                    foreach (var member in lost)
                    {
                        if (running.TryGetValue((string)member!, out var task))
                        {
                            Log.LeaseLost(logger, TaskId.Format(keys.TaskType, task.LocalId));
                        }
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    Log.RedisCallFailed(logger, e, keys.TaskType, period);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping; running tasks are finished by RunOneAsync.
        }
    }
}
