using Microsoft.Extensions.Logging;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Recurring;

/// <summary>
/// Turns the due occurrences of a type's recurring schedules into tasks. claim.lua finds them (they
/// are due by the server's clock); deciding what each occurrence does takes the cron rules, time
/// zones and misfire policy that only C# has, and recur.lua then applies the decision with a
/// compare-and-set, so when several instances see the same occurrence, one wins.
/// </summary>
internal sealed class RecurringOccurrences(TaskTypeKeys keys, ILogger logger)
{
    /// <param name="database">The connection.</param>
    /// <param name="due">The occurrences claim.lua returned.</param>
    /// <param name="nowMs">The server's clock at the claim (Unix ms), for the misfire policy.</param>
    public async Task AdvanceAsync(IDatabaseAsync database, IReadOnlyList<DueOccurrence> due, long nowMs)
    {
        try
        {
            foreach (var occurrence in due)
            {
                var (run, next) = Decide(occurrence, nowMs);
                await RecurScript.Create(keys, occurrence, next, run).EvaluateAsync(database, keys).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The tasks claimed with these occurrences must still run; an occurrence not advanced
            // stays due, and the next claim returns it again.
            Log.RecurringOccurrenceFailed(logger, e, keys.TaskType);
        }
    }

    private (bool Run, long? Next) Decide(DueOccurrence occurrence, long nowMs)
    {
        try
        {
            return RecurringDefinition.FromJson(occurrence.DefinitionJson).Decide(occurrence.OccurrenceMs, nowMs);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            // A definition this instance cannot read would otherwise come back with every claim:
            // the schedule stops until it is defined again.
            Log.RecurringScheduleUnreadable(logger, e, keys.TaskType, occurrence.Name);
            return (false, null);
        }
    }
}
