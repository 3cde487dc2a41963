using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace RedisScheduler.Dashboard.Pages;

/// <summary>One embedded file the pages load, with its content type and an ETag of its content.</summary>
internal sealed record DashboardAsset(byte[] Content, string ContentType, string ETag);

/// <summary>The files under <c>Pages/Assets</c>, embedded in the assembly and read once.</summary>
internal static class DashboardAssets
{
    private const string Prefix = "RedisScheduler.Dashboard.Pages.Assets.";

    private static readonly FrozenDictionary<string, DashboardAsset> Files = Load();

    /// <summary>The page shell, with <c>{{placeholders}}</c> the page endpoint fills in.</summary>
    public static string Html { get; } = Encoding.UTF8.GetString(Read("index.html"));

    /// <summary>A script or style sheet by its file name; never the shell, which needs its placeholders filled.</summary>
    public static DashboardAsset? Find(string name) => Files.GetValueOrDefault(name);

    private static FrozenDictionary<string, DashboardAsset> Load()
    {
        var files = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in typeof(DashboardAssets).Assembly.GetManifestResourceNames().Where(r => r.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var name = resource[Prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => null,
            };
            if (type is not null)
            {
                var content = Read(name);
                files[name] = new DashboardAsset(content, type, $"\"{Convert.ToHexString(SHA256.HashData(content))[..16]}\"");
            }
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new InvalidOperationException($"The dashboard's embedded asset '{name}' is missing from the assembly: the build must embed Pages/Assets/*.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
