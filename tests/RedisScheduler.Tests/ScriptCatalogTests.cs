using System.Reflection;
using System.Text.RegularExpressions;
using NUnit.Framework;
using RedisScheduler.Dispatching;
using RedisScheduler.Storage;

namespace RedisScheduler.Tests;

/// <summary>The embedded Lua scripts: all loaded, each documented, each command granted to the ACL user in the docs.</summary>
public sealed partial class ScriptCatalogTests
{
    /// <summary>Every script the library sends.</summary>
    internal static readonly SchedulerScript[] Loaded = typeof(SchedulerScripts)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.PropertyType == typeof(SchedulerScript))
        .Select(p => (SchedulerScript)p.GetValue(SchedulerScripts.Instance)!)
        .ToArray();

    // The test-side dispatch.lua is documented like the package's scripts.
    private static readonly SchedulerScript[] Checked = [.. Loaded, DueTaskDispatcher.Script];

    private static readonly string[] Embedded = typeof(SchedulerScripts).Assembly.GetManifestResourceNames()
        .Where(n => n.EndsWith(".lua", StringComparison.Ordinal))
        .Select(n => n["RedisScheduler.Scripts.".Length..^".lua".Length])
        .ToArray();

    [Test]
    public void EveryEmbeddedScript_IsLoaded()
    {
        Assert.That(Loaded.Select(s => s.Name).Append("common"), Is.EquivalentTo(Embedded));
    }

    [Test]
    public void EveryScript_HeaderNamesItsKeysArgumentsAndReturn()
    {
        Assert.Multiple(() =>
        {
            foreach (var script in Checked)
            {
                var own = script.Text[script.Text.IndexOf($"-- {script.Name}.lua:", StringComparison.Ordinal)..];
                var header = string.Concat(own.Split('\n').TakeWhile(l => l.StartsWith("--", StringComparison.Ordinal)));
                Assert.That(header, Does.Contain("KEYS"), script.Name);
                Assert.That(header, Does.Contain("Returns"), script.Name);
                if (own.Contains("ARGV[", StringComparison.Ordinal))
                {
                    Assert.That(header, Does.Contain("ARGV"), script.Name);
                }
            }
        });
    }

    [Test]
    public void AclCommandList_GrantsEveryCommandTheScriptsCall()
    {
        var called = Loaded.SelectMany(s => RedisCall().Matches(s.Text).Select(m => m.Groups[1].Value.ToLowerInvariant())).ToHashSet();
        var granted = SecurityTests.SchedulerAclCommands.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(c => c.StartsWith('+')).Select(c => c[1..]).ToHashSet();

        Assert.That(called, Is.SubsetOf(granted), "add the new command to SecurityTests.SchedulerAclCommands and docs/reliability.md");
    }

    [GeneratedRegex(@"redis\.call\('([A-Za-z]+)'")]
    private static partial Regex RedisCall();
}
