using System.Text;
using System.Text.RegularExpressions;

namespace RedisScheduler.Storage;

/// <summary>
/// common.lua cut into its top-level definitions, so each script is sent with only the helpers it
/// calls and the ones those call: Redis runs the whole text of a script on every EVALSHA, so each
/// helper a script carries, used or not, costs every call (about 5 µs of Redis CPU per call for the
/// whole prelude). The helpers stay written once, in common.lua; which ones a script gets is worked
/// out here from the names its text uses, when the library loads.
/// </summary>
/// <remarks>
/// A definition starts at a line <c>local ...</c> in column 0 and runs to the next one, carrying the
/// comment lines just above it. The four lines that name the twenty keys (<c>local DUE, ... = KEYS[1], ...</c>)
/// are not copied: each script gets one line naming only the keys it uses.
/// </remarks>
internal sealed partial class LuaPrelude
{
    private readonly Definition[] definitions;

    /// <summary>The key names of common.lua, in KEYS order (<see cref="TaskTypeKeys.All"/>'s order).</summary>
    private readonly string[] keyNames;

    public LuaPrelude(string text)
    {
        Text = text;
        var lines = text.Split('\n');
        var keys = new List<string>();
        var found = new List<Definition>();
        var start = -1;
        for (var i = 0; i <= lines.Length; i++)
        {
            if (i < lines.Length && !lines[i].StartsWith("local ", StringComparison.Ordinal))
            {
                continue;
            }

            var head = i;
            while (i < lines.Length && head > 0 && lines[head - 1].StartsWith("--", StringComparison.Ordinal))
            {
                head--;
            }

            if (start >= 0)
            {
                found.Add(Definition.Of(string.Join('\n', lines[start..head]) + "\n"));
            }

            if (i < lines.Length && KeyLine().Match(lines[i]) is { Success: true } keyLine)
            {
                keys.AddRange(keyLine.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries));
                start = -1;
                continue;
            }

            start = head;
        }

        keyNames = [.. keys];
        definitions = [.. found];
    }

    /// <summary>The whole of common.lua, with all twenty keys; tests run its helpers on their own.</summary>
    public string Text { get; }

    /// <summary>
    /// The text to send for a script: the lines naming the keys it uses, the definitions it needs, and
    /// <paramref name="body"/>. With <paramref name="usedKeysOnly"/>, the script receives only the keys
    /// it uses, in common.lua's order (<see cref="Composed.KeyIndices"/>); otherwise all twenty.
    /// </summary>
    public Composed Compose(string name, string body, bool usedKeysOnly)
    {
        var needed = Needed(body);
        var usedKeys = Enumerable.Range(0, keyNames.Length).Where(k => needed.Contains(keyNames[k])).ToArray();
        var text = new StringBuilder($"-- {name}.lua with the parts of common.lua it uses (LuaPrelude.cs)\n");
        if (usedKeys.Length > 0)
        {
            text.Append("local ").AppendJoin(", ", usedKeys.Select(k => keyNames[k])).Append(" = ")
                .AppendJoin(", ", usedKeys.Select((k, i) => $"KEYS[{(usedKeysOnly ? i : k) + 1}]")).Append('\n');
        }

        foreach (var definition in definitions.Where(d => d.Names.Any(needed.Contains)))
        {
            text.Append(definition.Text);
        }

        return new Composed(text.Append('\n').Append(body).ToString(), usedKeysOnly ? usedKeys : null);
    }

    /// <summary>The names of common.lua (helpers, constants and keys) that <paramref name="body"/> uses, directly or through other helpers.</summary>
    private HashSet<string> Needed(string body)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(Identifiers(body));
        while (pending.TryPop(out var name))
        {
            if (!needed.Add(name))
            {
                continue;
            }

            foreach (var definition in definitions.Where(d => d.Names.Contains(name)))
            {
                foreach (var used in definition.Uses)
                {
                    pending.Push(used);
                }
            }
        }

        needed.IntersectWith(definitions.SelectMany(d => d.Names).Concat(keyNames));
        return needed;
    }

    /// <summary>The identifiers a piece of Lua uses, outside comments and string literals.</summary>
    private static HashSet<string> Identifiers(string lua)
        => Identifier().Matches(CommentOrString().Replace(lua, " ")).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^local ([A-Z_, ]+) = KEYS\[\d+\](?:, KEYS\[\d+\])*\s*$")]
    private static partial Regex KeyLine();

    // Strings first, so a "--" inside one is not taken for a comment; Lua's long brackets are not used.
    [GeneratedRegex(@"'(?:\\.|[^'\\\n])*'|""(?:\\.|[^""\\\n])*""|--[^\n]*")]
    private static partial Regex CommentOrString();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();

    /// <summary>A script's text and, when it receives only the keys it uses, their 0-based indices in <see cref="TaskTypeKeys.All"/>.</summary>
    internal readonly record struct Composed(string Text, int[]? KeyIndices);

    /// <summary>One top-level definition of common.lua: its text, the names it defines and the identifiers it uses.</summary>
    private sealed partial record Definition(string Text, string[] Names, HashSet<string> Uses)
    {
        public static Definition Of(string text)
        {
            var first = text.Split('\n').First(l => l.StartsWith("local ", StringComparison.Ordinal));
            var declared = Declared().Match(first);
            var names = declared.Groups[1].Success
                ? [declared.Groups[1].Value]
                : declared.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries);
            var uses = Identifiers(text);
            uses.ExceptWith(names);
            return new Definition(text, names, uses);
        }

        [GeneratedRegex(@"^local (?:function ([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_, ]*?)\s*=)")]
        private static partial Regex Declared();
    }
}
