using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Handling;

/// <summary>renew.lua's arguments and reply: extends the leases of the tasks a worker still holds.</summary>
internal static class RenewScript
{
    /// <param name="leaseDuration">The new lease, counted from the server's clock now.</param>
    /// <param name="leaseMembers">A snapshot of the worker's lease members (see <see cref="InFlightTasks.LeaseMembers"/>).</param>
    public static ScriptCall Create(TimeSpan leaseDuration, IEnumerable<string> leaseMembers)
        => new(SchedulerScripts.Instance.Renew, [(long)leaseDuration.TotalMilliseconds, .. leaseMembers.Select(member => (RedisValue)member)]);

    /// <summary>The lease members whose lease was already lost (reclaimed by another worker).</summary>
    public static IEnumerable<string> ParseReply(RedisResult reply) => ((RedisResult[])reply!).Select(member => (string)member!);
}
