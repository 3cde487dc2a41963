using StackExchange.Redis;

namespace RedisScheduler.Storage.Scripts;

/// <summary>Calls define.lua: adds, changes, removes, pauses or resumes a recurring schedule of one type.</summary>
internal static class DefineScript
{
    /// <summary>Stores a schedule's definition; <see langword="false"/> when the same one was there already (its next occurrence is then kept).</summary>
    /// <param name="database">The connection.</param>
    /// <param name="keys">The task type's keys.</param>
    /// <param name="name">The schedule's name.</param>
    /// <param name="definitionJson">The definition, payload included.</param>
    /// <param name="firstOccurrenceMs">Its first occurrence from now (Unix ms), or <see langword="null"/> when it never fires.</param>
    /// <param name="link">The traceparent of the defining call (<see cref="StoredTraceContext.CaptureLink"/>), which its occurrences' spans link to; <see langword="null"/> for none.</param>
    public static async Task<bool> SetAsync(IDatabaseAsync database, TaskTypeKeys keys, string name, string definitionJson, long? firstOccurrenceMs, string? link)
        => (int)await SchedulerScripts.EvaluateAsync(
            database,
            SchedulerScripts.Instance.Define,
            keys.All,
            ["set", name, definitionJson, firstOccurrenceMs is { } first ? first : RedisValue.EmptyString, keys.WakeChannel, link ?? ""]).ConfigureAwait(false) == 1;

    /// <summary>Removes a schedule; <see langword="false"/> when there was none.</summary>
    public static async Task<bool> RemoveAsync(IDatabaseAsync database, TaskTypeKeys keys, string name)
        => (int)await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Define, keys.All, ["remove", name]).ConfigureAwait(false) == 1;

    /// <summary>The field of the type's <c>recurring</c> hash that marks a schedule paused (<c>paused_field</c> in common.lua).</summary>
    public static string PausedField(string name) => name + "|paused";

    /// <summary>
    /// Whether a field of the <c>recurring</c> hash is a schedule's definition, not one kept beside it
    /// (<c>paused_field</c>, <c>link_field</c> in common.lua): those are named <c>&lt;name&gt;|…</c>, and a name has no <c>|</c>.
    /// </summary>
    public static bool IsDefinitionField(string field) => !field.Contains('|', StringComparison.Ordinal);

    /// <summary>Pauses (<paramref name="pause"/>) or resumes a schedule; <see langword="false"/> when there is none.</summary>
    public static async Task<bool> PauseAsync(IDatabaseAsync database, TaskTypeKeys keys, string name, bool pause)
        => (int)await SchedulerScripts.EvaluateAsync(
            database,
            SchedulerScripts.Instance.Define,
            keys.All,
            [pause ? "pause" : "resume", name, RedisValue.EmptyString, RedisValue.EmptyString, keys.WakeChannel]).ConfigureAwait(false) == 1;
}
