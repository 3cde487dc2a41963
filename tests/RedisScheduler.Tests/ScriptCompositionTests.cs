using System.Text.RegularExpressions;
using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

/// <summary>
/// Each script is sent with only the parts of common.lua it uses (LuaPrelude): here, with regular
/// expressions of its own rather than LuaPrelude's reading, every name of common.lua a script uses is
/// defined in it, and every definition it carries is used; and every composed script compiles in Redis.
/// </summary>
public sealed partial class ScriptCompositionTests
{
    private static readonly SchedulerScript[] Loaded = ScriptCatalogTests.Loaded;

    /// <summary>Every name common.lua declares at its top level: helpers, constants and keys.</summary>
    private static readonly string[] CommonNames = [.. Declarations(SchedulerScripts.Instance.Prelude).SelectMany(d => d)];

    [Test]
    public void EveryScript_DefinesEveryNameOfCommonLuaItUses()
    {
        Assert.Multiple(() =>
        {
            foreach (var script in Loaded)
            {
                var code = Code(script.Text);
                var defined = Declarations(script.Text).SelectMany(d => d).ToHashSet();
                var used = CommonNames.Where(n => Regex.IsMatch(code, $@"\b{n}\b")).ToArray();
                Assert.That(used, Is.SubsetOf(defined), script.Name);
            }
        });
    }

    [Test]
    public void EveryScript_CarriesNoDefinitionItDoesNotUse()
    {
        Assert.Multiple(() =>
        {
            foreach (var script in Loaded)
            {
                var code = Code(script.Text);
                foreach (var names in Declarations(PreludePart(script)))
                {
                    // Used: named somewhere other than its own declaration. A key line must have every key used.
                    bool Used(string n) => Regex.Count(code, $@"\b{n}\b") > 1;
                    var keyLine = code.Contains($"local {string.Join(", ", names)} = KEYS[", StringComparison.Ordinal);
                    Assert.That(keyLine ? names.All(Used) : names.Any(Used), Is.True, $"{script.Name} carries {string.Join(", ", names)} unused");
                }
            }
        });
    }

    [Test]
    public void ScheduleLua_CarriesOnlyTheHelpersItCalls()
    {
        var schedule = SchedulerScripts.Instance.Schedule;
        var declared = Declarations(PreludePart(schedule)).SelectMany(d => d).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(declared, Does.Not.Contain("sweep").And.Not.Contain("promote").And.Not.Contain("bury").And.Not.Contain("read_activity"));
            Assert.That(declared, Does.Contain("new_record").And.Contain("encode_id").And.Contain("publish").And.Contain("first_score"));
            Assert.That(schedule.Text.Length, Is.LessThan(SchedulerScripts.Instance.Prelude.Length / 2));
        });
    }

    [Test]
    public void ScheduleLua_ReceivesOnlyTheKeysItUses_BuiltOncePerType()
    {
        var schedule = SchedulerScripts.Instance.Schedule;
        var keys = new TaskTypeKeys("p", "t");

        Assert.Multiple(() =>
        {
            Assert.That(schedule.KeyIndices, Is.Not.Null);
            Assert.That(keys.For(schedule), Is.EqualTo(schedule.KeyIndices!.Select(i => keys.All[i])));
            Assert.That(keys.For(schedule), Has.Length.LessThan(keys.All.Length));
            Assert.That(keys.For(schedule), Is.SameAs(keys.For(schedule.ForCluster)), "built once per type, not per call");
            Assert.That(() => SchedulerScripts.Evaluate(null!, schedule, keys.All, []), Throws.InvalidOperationException, "all twenty keys to a script that reads seven");
        });
    }

    [Test]
    public async Task EveryComposedScript_CompilesInRedis_UnderItsOwnSha()
    {
        await using var scope = new TestScope();
        var server = scope.Connection.GetServer(scope.Connection.GetEndPoints()[0]);
        foreach (var script in Loaded.SelectMany(s => new[] { s, s.ForCluster }))
        {
            Assert.That(await server.ScriptLoadAsync(script.Text), Is.EqualTo(script.Sha1), script.Name);
        }
    }

    /// <summary>The names of each top-level <c>local</c> declaration of a Lua text, one array per declaration.</summary>
    private static IEnumerable<string[]> Declarations(string lua)
        => TopLevelLocal().Matches(lua).Select(m => m.Groups[1].Success
            ? new[] { m.Groups[1].Value }
            : m.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries));

    /// <summary>What a script carries from common.lua: its text before its own header.</summary>
    private static string PreludePart(SchedulerScript script) => script.Text[..script.Text.IndexOf($"-- {script.Name}.lua:", StringComparison.Ordinal)];

    /// <summary>The text without comments and without the contents of quoted strings.</summary>
    private static string Code(string lua) => Regex.Replace(Regex.Replace(lua, @"'[^'\n]*'", "''"), "--[^\n]*", "");

    [GeneratedRegex(@"^local (?:function (\w+)|([\w, ]+?) =)", RegexOptions.Multiline)]
    private static partial Regex TopLevelLocal();
}
