namespace RedisScheduler.Storage;

/// <summary>
/// The in-flight member of one delivery, <c>&lt;local id&gt;|&lt;token&gt;</c>: the task and the token
/// claim.lua gave the worker it went to (lease_member and lease_id in Scripts/common.lua). A worker
/// finishes a task by this member, so a worker whose lease ran out can never finish the delivery
/// that replaced it. Local ids and tokens never contain '|'.
/// </summary>
internal static class LeaseMember
{
    private const char Separator = '|';

    public static string Format(string localId, string token) => string.Concat(localId, "|", token);

    public static (string LocalId, string Token) Parse(string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var bar = member.IndexOf(Separator, StringComparison.Ordinal);
        return bar > 0 && bar < member.Length - 1
            ? (member[..bar], member[(bar + 1)..])
            : throw new FormatException($"'{member}' is not a lease member \"<local id>|<token>\"; it was not written by this version of RedisScheduler.");
    }
}
