using System.Security.Cryptography;
using System.Text;

namespace RedisScheduler.Storage;

/// <summary>One Lua script as sent to Redis: the shared prelude plus the script's own text, and its SHA1.</summary>
internal sealed class SchedulerScript
{
    public SchedulerScript(string name, string text)
    {
        Name = name;
        Text = text;
#pragma warning disable CA5350 // SHA1 is what Redis names scripts by (EVALSHA), not a security measure.
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    public string Name { get; }

    public string Text { get; }

    public byte[] Sha1 { get; }
}
