using System.Text;
using RedisScheduler.Storage;
using RedisScheduler.Storage.Scripts;
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

    /// <summary>
    /// Delivers the type's outbox, and then the outboxes of continuations this cancelled. An entry
    /// that fails stays for the next delivery and does not hold up the others; the first failure is
    /// thrown once the rest are delivered.
    /// </summary>
    /// <param name="database">The connection.</param>
    /// <param name="keys">The parents' type.</param>
    public async Task DeliverAsync(IDatabaseAsync database, TaskTypeKeys keys)
    {
        var outboxes = new Queue<TaskTypeKeys>();
        outboxes.Enqueue(keys);
        Exception? firstFailure = null;
        while (outboxes.TryDequeue(out var outbox))
        {
            // Failed entries stay at the front; later pages skip them.
            var skip = 0;
            while (true)
            {
                var entries = await database.SortedSetRangeByRankAsync(outbox.Outbox, skip, skip + PageSize - 1).ConfigureAwait(false);
                if (entries.Length == 0)
                {
                    break;
                }

                // Entries that name no valid continuation are dropped with the delivered ones.
                var done = new List<RedisValue>(entries.Length);
                var calls = GroupByContinuation(outbox.IdType, entries, done).Select(call => TryResolveAsync(database, call)).ToList();
                foreach (var (call, reply, failure) in await Task.WhenAll(calls).ConfigureAwait(false))
                {
                    if (failure is not null)
                    {
                        firstFailure ??= failure;
                        skip += call.Entries.Count;
                        continue;
                    }

                    done.AddRange(call.Entries);
                    if (reply == ResolveScript.Result.CancelledWithContinuations)
                    {
                        // The continuation was cancelled and has continuations of its own.
                        outboxes.Enqueue(call.Keys);
                    }
                }

                if (done.Count > 0)
                {
                    await database.SortedSetRemoveAsync(outbox.Outbox, [.. done]).ConfigureAwait(false);
                }

                if (entries.Length < PageSize)
                {
                    break;
                }
            }
        }

        if (firstFailure is not null)
        {
            throw firstFailure;
        }
    }

    private static async Task<(Delivery Call, ResolveScript.Result? Reply, Exception? Failure)> TryResolveAsync(IDatabaseAsync database, Delivery call)
    {
        try
        {
            return (call, await ResolveScript.RunAsync(database, call.Keys, call.LocalId, call.Ends).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return (call, null, e);
        }
    }

    /// <summary>Turns outbox entries (see notify_dependents in Scripts/common.lua) into resolve.lua calls, one per continuation.</summary>
    /// <param name="parentType">The type whose outbox the entries come from.</param>
    /// <param name="entries">The outbox entries.</param>
    /// <param name="malformed">Receives the entries that name no valid continuation.</param>
    private Dictionary<string, Delivery>.ValueCollection GroupByContinuation(string parentType, RedisValue[] entries, List<RedisValue> malformed)
    {
        var byChild = new Dictionary<string, Delivery>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var text = Encoding.UTF8.GetString((byte[])entry!);
            var firstBar = text.IndexOf('|', StringComparison.Ordinal);
            var secondBar = firstBar < 0 ? -1 : text.IndexOf('|', firstBar + 1);
            var child = secondBar < 0 ? string.Empty : text[1..firstBar];
            // The type only names keys; no CLR type is ever looked up from it.
            if (!TaskId.TryParse(child, out var childType, out var childLocalId))
            {
                malformed.Add(entry);
                continue;
            }

            if (!byChild.TryGetValue(child, out var call))
            {
                call = new Delivery(names.GetKeys(childType), childLocalId, [], []);
                byChild[child] = call;
            }

            call.Ends.Add(new ParentEnd(TaskId.Format(parentType, text[(firstBar + 1)..secondBar]), text[..1], text[(secondBar + 1)..]));
            call.Entries.Add(entry);
        }

        return byChild.Values;
    }

    /// <summary>One resolve.lua call: the continuation, how its parents ended, and the outbox entries it delivers.</summary>
    private sealed record Delivery(TaskTypeKeys Keys, string LocalId, List<ParentEnd> Ends, List<RedisValue> Entries);
}
