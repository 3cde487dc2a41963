using System.Text;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Continuations;

/// <summary>
/// Delivers the outbox of a task type: how its tasks ended, to the continuations waiting for them,
/// with resolve.lua on each continuation's own type. A parent's end and a continuation live under
/// different hash tags (maybe on different cluster nodes), so this is a second step after the
/// script that ended the parent; the outbox entry stays until it is delivered, and delivering twice
/// changes nothing, so any instance may deliver it, at any time, concurrently with others.
/// </summary>
internal sealed class ContinuationRelay(TaskTypeNames names)
{
    private const int PageSize = 100;

    /// <summary>Delivers the type's outbox, and then the outboxes of continuations this cancelled.</summary>
    /// <param name="database">The connection.</param>
    /// <param name="keys">The parents' type.</param>
    /// <param name="endedBeforeMs">Only entries older than this (Unix ms, server clock), for the recovery of entries whose worker died; <see langword="null"/> for all.</param>
    public async Task DeliverAsync(IDatabaseAsync database, TaskTypeKeys keys, long? endedBeforeMs = null)
    {
        var outboxes = new Queue<(TaskTypeKeys Keys, long? Before)>();
        outboxes.Enqueue((keys, endedBeforeMs));
        while (outboxes.TryDequeue(out var outbox))
        {
            while (true)
            {
                var entries = outbox.Before is { } before
                    ? await database.SortedSetRangeByScoreAsync(outbox.Keys.Outbox, double.NegativeInfinity, before, take: PageSize).ConfigureAwait(false)
                    : await database.SortedSetRangeByRankAsync(outbox.Keys.Outbox, 0, PageSize - 1).ConfigureAwait(false);
                if (entries.Length == 0)
                {
                    break;
                }

                var deliveries = new List<Task<(TaskTypeKeys Keys, RedisResult Reply)>>();
                foreach (var (child, args) in GroupByContinuation(outbox.Keys.TaskType, entries))
                {
                    deliveries.Add(ResolveAsync(database, child, args));
                }

                foreach (var (childKeys, reply) in await Task.WhenAll(deliveries).ConfigureAwait(false))
                {
                    if ((int)reply == 3)
                    {
                        // The continuation was cancelled and has continuations of its own.
                        outboxes.Enqueue((childKeys, null));
                    }
                }

                await database.SortedSetRemoveAsync(outbox.Keys.Outbox, entries).ConfigureAwait(false);
                if (entries.Length < PageSize)
                {
                    break;
                }
            }
        }
    }

    private static async Task<(TaskTypeKeys Keys, RedisResult Reply)> ResolveAsync(IDatabaseAsync database, TaskTypeKeys keys, List<RedisValue> args)
        => (keys, await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Resolve, keys.All, [.. args]).ConfigureAwait(false));

    /// <summary>Turns outbox entries (see notify_dependents in Scripts/common.lua) into resolve.lua calls, one per continuation.</summary>
    private Dictionary<string, (TaskTypeKeys Keys, List<RedisValue> Args)>.ValueCollection GroupByContinuation(string parentType, RedisValue[] entries)
    {
        var byChild = new Dictionary<string, (TaskTypeKeys Keys, List<RedisValue> Args)>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var text = Encoding.UTF8.GetString((byte[])entry!);
            var firstBar = text.IndexOf('|', StringComparison.Ordinal);
            var secondBar = firstBar < 0 ? -1 : text.IndexOf('|', firstBar + 1);
            if (secondBar < 0)
            {
                continue;
            }

            var child = text[1..firstBar];
            var slash = child.IndexOf('/', StringComparison.Ordinal);
            // The type only names keys; no CLR type is ever looked up from it.
            if (slash <= 0 || !TaskTypeNames.IsValidName(child[..slash]))
            {
                continue;
            }

            if (!byChild.TryGetValue(child, out var call))
            {
                var keys = names.GetKeys(child[..slash]);
                call = (keys, [child[(slash + 1)..], keys.WakeChannel, keys.DoneChannel]);
                byChild[child] = call;
            }

            call.Args.Add(TaskId.Format(parentType, text[(firstBar + 1)..secondBar]));
            call.Args.Add(text[..1]);
            call.Args.Add(text[(secondBar + 1)..]);
        }

        return byChild.Values;
    }
}
