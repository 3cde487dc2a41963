using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cronos;

namespace RedisScheduler.Recurring;

/// <summary>
/// A recurring schedule as stored in the type's <c>recurring</c> hash. Serialized the same way every
/// time, so define.lua can tell an unchanged definition from a changed one; recur.lua reads <c>payload</c>.
/// </summary>
internal sealed partial record RecurringDefinition(
    string? Cron,
    long? IntervalMs,
    string TimeZone,
    MisfirePolicy Misfire,
    long MisfireThresholdMs,
    string Payload)
{
    private static readonly ConcurrentDictionary<string, CronExpression> Parsed = new(StringComparer.Ordinal);

    public string ToJson() => JsonSerializer.Serialize(this, DefinitionContext.Default.RecurringDefinition);

    public static RecurringDefinition FromJson(string json)
        => JsonSerializer.Deserialize(json, DefinitionContext.Default.RecurringDefinition)
            ?? throw new JsonException("A recurring schedule definition in Redis is JSON null.");

    /// <summary>Reads a cron expression: five fields, or six with seconds first.</summary>
    /// <exception cref="ArgumentException">The expression is invalid; the message says why.</exception>
    public static CronExpression ParseCron(string expression)
    {
        try
        {
            return Parsed.GetOrAdd(expression, e => CronExpression.Parse(
                e,
                e.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard));
        }
        catch (CronFormatException e)
        {
            throw new ArgumentException(
                $"The cron expression '{expression}' is invalid: {e.Message} Use five fields (minute hour day-of-month month day-of-week, such as \"*/5 * * * *\") or six with seconds first.",
                nameof(expression),
                e);
        }
    }

    /// <summary>The first occurrence strictly after <paramref name="afterMs"/>, or <see langword="null"/> if there is none.</summary>
    public long? NextAfter(long afterMs)
    {
        if (IntervalMs is { } interval)
        {
            return afterMs + interval;
        }

        var next = ParseCron(Cron!).GetNextOccurrence(
            DateTimeOffset.FromUnixTimeMilliseconds(afterMs),
            TimeZoneInfo.FindSystemTimeZoneById(TimeZone),
            inclusive: false);
        return next?.ToUnixTimeMilliseconds();
    }

    /// <summary>
    /// What to do with a due occurrence: run it, and when the schedule fires next. An occurrence later
    /// than the misfire threshold means every occurrence up to now was missed: they run once together
    /// or not at all, and the schedule goes on from the first occurrence after now.
    /// </summary>
    public (bool Run, long? Next) Decide(long occurrenceMs, long nowMs)
    {
        if (nowMs - occurrenceMs <= MisfireThresholdMs)
        {
            return (true, NextAfter(occurrenceMs));
        }

        var next = IntervalMs is { } interval
            ? occurrenceMs + ((((nowMs - occurrenceMs) / interval) + 1) * interval)
            : NextAfter(nowMs);
        return (Misfire == MisfirePolicy.RunOnce, next);
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
    [JsonSerializable(typeof(RecurringDefinition))]
    private sealed partial class DefinitionContext : JsonSerializerContext;
}
