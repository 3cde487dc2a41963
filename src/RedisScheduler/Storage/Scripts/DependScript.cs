using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls depend.lua: registers a continuation with parents of one type, or learns how they already ended.</summary>
internal static class DependScript
{
    /// <summary>The call, on the parents' type, sent through <see cref="ReplicatedWrites"/>; its reply is read by <see cref="Parse"/>.</summary>
    /// <param name="continuationId">The continuation's public id.</param>
    /// <param name="parentLocalIds">The parents' local ids.</param>
    public static ScriptCall Call(string continuationId, IReadOnlyCollection<string> parentLocalIds)
    {
        var args = new RedisValue[1 + parentLocalIds.Count];
        args[0] = continuationId;
        var i = 1;
        foreach (var localId in parentLocalIds)
        {
            args[i++] = localId;
        }

        return new ScriptCall(SchedulerScripts.Instance.Depend, args);
    }

    /// <summary>How each parent stood, in the order given, from the reply of a <see cref="Call"/>.</summary>
    public static ParentStanding[] Parse(RedisResult reply)
    {
        var replies = (RedisResult[])reply!;
        return [.. replies.Select(reply => (string)reply! switch
        {
            "" => new ParentStanding(ParentStanding.Kind.Pending, "", ""),
            "u" => new ParentStanding(ParentStanding.Kind.Unknown, "", ""),
            var ended => new ParentStanding(ParentStanding.Kind.Ended, ended[..1], ended[1..]),
        })];
    }
}

/// <summary>
/// How a parent stood when a continuation registered with it: pending (it tells the continuation
/// when it ends), unknown (it never existed, or ended too long ago to tell how), or ended, with the
/// outcome code ('s' succeeded, 'd' dead-lettered) and its result or last error (JSON, or '').
/// </summary>
internal readonly record struct ParentStanding(ParentStanding.Kind State, string Outcome, string Detail)
{
    public enum Kind
    {
        /// <summary>Registered: it has not ended.</summary>
        Pending,

        /// <summary>It ended; see <see cref="Outcome"/>.</summary>
        Ended,

        /// <summary>It never existed, or ended too long ago to tell how.</summary>
        Unknown,
    }
}
