using System.Security.Cryptography;
using System.Text;

namespace RedisScheduler.Storage;

/// <summary>
/// One Lua script as sent to Redis: the parts of the shared prelude it uses (<see cref="LuaPrelude"/>)
/// plus the script's own text, and its SHA1; and the same script for a Redis Cluster
/// (<see cref="ForCluster"/>), which publishes with SPUBLISH.
/// </summary>
internal sealed class SchedulerScript
{
    /// <summary>The line of common.lua that <see cref="ForCluster"/> switches to true.</summary>
    private const string PlainPubSub = "local SHARDED_PUBSUB = false\n";

    public SchedulerScript(string name, string text, int[]? keyIndices = null)
        : this(name, text, clusterText: text.Contains(PlainPubSub, StringComparison.Ordinal) ? text.Replace(PlainPubSub, "local SHARDED_PUBSUB = true\n", StringComparison.Ordinal) : null, keyIndices)
    {
    }

    private SchedulerScript(string name, string text, string? clusterText, int[]? keyIndices)
    {
        Name = name;
        Text = text;
        KeyIndices = keyIndices;
#pragma warning disable CA5350 // SHA1 is what Redis names scripts by (EVALSHA), not a security measure.
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
        // A script without the prelude (the tests' dispatch.lua) publishes nothing: the same text serves both.
        ForCluster = clusterText is null ? this : new SchedulerScript(name, clusterText, null, keyIndices);
    }

    public string Name { get; }

    public string Text { get; }

    public byte[] Sha1 { get; }

    /// <summary>
    /// Gets which of a type's keys the script receives, as indices into <see cref="TaskTypeKeys.All"/>
    /// in that order; <see langword="null"/> when it receives all twenty. Send them with <see cref="TaskTypeKeys.For"/>.
    /// </summary>
    public int[]? KeyIndices { get; }

    /// <summary>Gets the variant sent to a Redis Cluster: the same script, publishing with SPUBLISH (see <see cref="PubSubMode"/>).</summary>
    public SchedulerScript ForCluster { get; }

    /// <summary>Gets the variant for <paramref name="multiplexer"/>'s kind of Redis.</summary>
    public SchedulerScript For(StackExchange.Redis.IConnectionMultiplexer multiplexer) => PubSubMode.IsSharded(multiplexer) ? ForCluster : this;
}
