using Microsoft.Extensions.Logging;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>
/// The partitions a worker claims from (see docs/scaling.md): partition 0's <see cref="WorkerParts"/>,
/// which the worker made, and one more set per further partition, sharing its slots and wake-up
/// signal. How many is learnt on the first claim that reaches Redis: the handler's count, or the
/// largest count ever recorded for the type if that is more, so a lowered count strands no task.
/// A round claims from the partitions in turn, starting one further each round, so under a backlog
/// each partition gets its share of the slots; a worker sleeps only after a round in which none had
/// a task for it.
/// </summary>
internal sealed class WorkerPartitions(WorkerParts first, TaskTypeKeys keys, int configured, Func<TaskTypeKeys, WorkerParts> create, ILogger logger) : IHeldTasks
{
    private readonly List<Task> background = [];
    // Replaced, never changed in place: the heartbeat and a stop read it from other threads.
    private WorkerParts[] all = [first];
    private bool resolved;
    private uint rotation;

    /// <summary>Every partition's parts, partition 0 first.</summary>
    public IReadOnlyList<WorkerParts> All => Volatile.Read(ref all);

    /// <summary>How many tasks the worker holds over every partition.</summary>
    public int Count
    {
        get
        {
            var sum = 0;
            foreach (var parts in Volatile.Read(ref all))
            {
                sum += parts.InFlight.Count;
            }

            return sum;
        }
    }

    /// <summary>The ids of tasks the worker holds, partition 0's first, until <paramref name="ids"/> holds <paramref name="max"/>.</summary>
    public void AddTaskIds(List<string> ids, int max)
    {
        foreach (var parts in Volatile.Read(ref all))
        {
            parts.InFlight.AddTaskIds(ids, max);
        }
    }

    /// <summary>
    /// Before a round: learns the partitions (once; one ZRANGE, and for a partitioned type one ZADD
    /// recording its count) and subscribes to each partition's wake channel.
    /// </summary>
    /// <param name="database">The connection.</param>
    /// <param name="startBackground">Starts a further partition's lease renewal and outbox delivery; they end with the worker's own.</param>
    public async Task EnsureAsync(IDatabase database, Func<WorkerParts, IEnumerable<Task>> startBackground)
    {
        if (!resolved)
        {
            if (configured > 1)
            {
                await PartitionRouter.RecordCountAsync(database, keys, configured).ConfigureAwait(false);
            }

            var count = await PartitionRouter.ReadCountAsync(database, keys, configured).ConfigureAwait(false);
            if (count > 1)
            {
                var parts = new WorkerParts[count];
                parts[0] = first;
                for (var partition = 1; partition < count; partition++)
                {
                    parts[partition] = create(new TaskTypeKeys(keys.Prefix, keys.TaskType, partition));
                    background.AddRange(startBackground(parts[partition]));
                }

                for (var partition = 0; partition < count; partition++)
                {
                    parts[partition].ShareLimits(partition, count);
                }

                Volatile.Write(ref all, parts);
            }

            resolved = true;
        }

        foreach (var parts in all)
        {
            await parts.Wake.EnsureAsync(database).ConfigureAwait(false);
        }
    }

    /// <summary>Starts one claim round with <paramref name="wanted"/> slots taken; like <see cref="TaskClaimer.StartRound"/>, it never faults.</summary>
    public Task<ClaimRound> StartRound(IDatabase database, int wanted)
        => all.Length == 1 ? first.Claimer.StartRound(database, wanted) : RotateAsync(database, wanted);

    /// <summary>Stops every partition's handlers (the host is stopping).</summary>
    public void StopAll()
    {
        foreach (var parts in Volatile.Read(ref all))
        {
            parts.InFlight.StopAll();
        }
    }

    /// <summary>Unsubscribes every partition and waits for the further partitions' background work, stopped by the worker's token.</summary>
    public async Task StopAsync()
    {
        foreach (var parts in all)
        {
            await parts.Wake.UnsubscribeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(background).ConfigureAwait(false);
        foreach (var parts in all.Skip(1))
        {
            parts.Dispose();
        }
    }

    private async Task<ClaimRound> RotateAsync(IDatabase database, int wanted)
    {
        var all = this.all;
        var count = all.Length;
        var start = (int)(Interlocked.Increment(ref rotation) % (uint)count);
        var (claimed, slots, answered) = (0, wanted, false);
        var idle = TimeSpan.MaxValue;
        Exception? failure = null;
        for (var i = 0; i < count; i++)
        {
            // The previous partition's round gave back the slots it did not use: take back those still free.
            if (i > 0 && (slots = all[0].Slots.TryTake(wanted - claimed)) == 0)
            {
                break;
            }

            var parts = all[(start + i) % count];
            var round = await parts.Claimer.StartRound(database, slots).ConfigureAwait(false);
            if (round.Failure is { } failed)
            {
                // One partition's master being unreachable does not stop the others.
                failure ??= failed;
                Log.RedisCallFailed(logger, failed, parts.Keys.IdType, TaskWorker.MaxClaimRetryDelay);
                continue;
            }

            answered = true;
            claimed += round.Claimed;
            idle = round.Claimed == 0 && round.IdleDelay < idle ? round.IdleDelay : idle;
        }

        if (!answered)
        {
            return ClaimRound.Failed(wanted, failure!);
        }

        // Sleep only when no partition had a task; a partition that failed is tried again within the claim
        // retry delay, or as soon as the client learns of a topology change (WorkerParts wakes the sleep).
        idle = failure is null ? idle : TimeSpan.FromTicks(Math.Min(idle.Ticks, TaskWorker.MaxClaimRetryDelay.Ticks));
        return new ClaimRound(wanted, claimed, claimed > 0 ? TimeSpan.Zero : idle, null);
    }
}
