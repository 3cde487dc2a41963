using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// The writes of one call that spans several task types (a continuation and its parents' types, a
/// batch and its completion task's type), which on a cluster live on several masters. Without
/// <see cref="RedisSchedulerOptions.WaitForReplicas"/> each type's script calls are sent as usual;
/// with it, through <see cref="ReplicaWait"/>: on that type's master, with WAIT right behind them.
/// A shortfall is remembered rather than thrown, so the caller finishes its writes (a continuation
/// registered with only some of its parents would wait for ever) and then throws once
/// (<see cref="ThrowIfShort"/>), naming what it wrote.
/// </summary>
internal sealed class ReplicatedWrites(RedisConnection connection, IDatabaseAsync database)
{
    // The types' calls may run concurrently (a continuation registers with each parent type at once).
    private readonly Lock gate = new();
    private ReplicatedReplies? shortfall;

    /// <summary>Runs <paramref name="calls"/>, scripts of <paramref name="keys"/>' type; the replies in their order.</summary>
    public async Task<RedisResult[]> RunAsync(TaskTypeKeys keys, IReadOnlyList<ScriptCall> calls)
    {
        var replicas = connection.Replicas;
        if (!replicas.IsEnabled)
        {
            return await Task.WhenAll(calls.Select(call => call.EvaluateAsync(database, keys))).ConfigureAwait(false);
        }

        var replicated = await replicas.EvaluateAsync(database.Multiplexer, keys, calls).ConfigureAwait(false);
        if (replicated.Acknowledged < replicas.Replicas || replicated.WaitFailure is not null)
        {
            lock (gate)
            {
                shortfall ??= replicated;
            }
        }

        return replicated.Replies;
    }

    /// <summary>Throws <see cref="ReplicationTimeoutException"/> naming <paramref name="taskIds"/> when any type's replicas fell short.</summary>
    public void ThrowIfShort(Func<IReadOnlyList<string>> taskIds)
    {
        if (shortfall is { } replies)
        {
            connection.Replicas.ThrowIfShort(replies, taskIds);
        }
    }
}
