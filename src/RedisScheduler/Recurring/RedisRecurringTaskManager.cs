using System.Diagnostics;
using System.Text;
using RedisScheduler.Storage;
using RedisScheduler.Storage.Scripts;

namespace RedisScheduler.Recurring;

/// <summary>Stores recurring schedules with define.lua; workers turn their occurrences into tasks with recur.lua.</summary>
internal sealed class RedisRecurringTaskManager(RedisConnection connection, TaskTypeNames names, PayloadSerializer serializer, TimeProvider time) : IRecurringTaskManager
{
    private const int MaxNameLength = 100;
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(366);

    public Task<bool> AddOrUpdateAsync<T>(string name, string cronExpression, T payload, RecurringTaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cronExpression);
        RecurringDefinition.ParseCron(cronExpression);
        options ??= new RecurringTaskOptions();
        return DefineAsync<T>(name, payload, json => new RecurringDefinition(cronExpression, null, options.TimeZone.Id, options.MisfirePolicy, Threshold(options), json), cancellationToken);
    }

    public Task<bool> AddOrUpdateAsync<T>(string name, TimeSpan interval, T payload, RecurringTaskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidInterval(interval);
        options ??= new RecurringTaskOptions();
        return DefineAsync<T>(name, payload, json => new RecurringDefinition(null, (long)interval.TotalMilliseconds, "UTC", options.MisfirePolicy, Threshold(options), json), cancellationToken);
    }

    public async Task<bool> RemoveAsync(string taskType, string name, CancellationToken cancellationToken = default)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        ThrowIfInvalidName(name);
        var keys = names.GetKeys(taskType);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await DefineScript.RemoveAsync(database, keys, name).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> PauseAsync(string taskType, string name, CancellationToken cancellationToken = default)
        => SetPausedAsync(taskType, name, pause: true, cancellationToken);

    public Task<bool> ResumeAsync(string taskType, string name, CancellationToken cancellationToken = default)
        => SetPausedAsync(taskType, name, pause: false, cancellationToken);

    public async Task<IReadOnlyList<RecurringTaskInfo>> ListAsync(string taskType, CancellationToken cancellationToken = default)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        var keys = names.GetKeys(taskType);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var batch = database.CreateBatch();
        var definitions = batch.HashGetAllAsync(keys.Recurring);
        var nexts = batch.SortedSetRangeByRankWithScoresAsync(keys.RecurringNext);
        batch.Execute();
        await Task.WhenAll(definitions, nexts).WaitAsync(cancellationToken).ConfigureAwait(false);
        var nextByName = nexts.Result.ToDictionary(e => (string)e.Element!, e => (long)e.Score, StringComparer.Ordinal);
        var fields = definitions.Result.Select(e => (string)e.Name!).ToHashSet(StringComparer.Ordinal);
        return [.. definitions.Result
            .Where(entry => DefineScript.IsDefinitionField(entry.Name!))
            .Select(entry => (Name: (string)entry.Name!, Definition: RecurringDefinition.FromJson((string)entry.Value!)))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => new RecurringTaskInfo(
                e.Name,
                taskType,
                e.Definition.Cron,
                e.Definition.IntervalMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
                e.Definition.TimeZone,
                e.Definition.Misfire,
                nextByName.TryGetValue(e.Name, out var next) ? DateTimeOffset.FromUnixTimeMilliseconds(next) : null,
                e.Definition.Payload)
            {
                IsPaused = fields.Contains(DefineScript.PausedField(e.Name)),
            })];
    }

    private async Task<bool> SetPausedAsync(string taskType, string name, bool pause, CancellationToken cancellationToken)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        ThrowIfInvalidName(name);
        var keys = names.GetKeys(taskType);
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await DefineScript.PauseAsync(database, keys, name, pause).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every check of a schedule's name and options, also run by <c>AddRecurringTask</c> so bad input fails at registration.</summary>
    internal static void Validate(string name, TimeSpan? interval, RecurringTaskOptions options)
    {
        ThrowIfInvalidName(name);
        if (interval is { } i)
        {
            ThrowIfInvalidInterval(i);
        }

        Threshold(options);
    }

    private static void ThrowIfInvalidInterval(TimeSpan interval)
    {
        if (interval < MinInterval || interval > MaxInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be from 1 second to 366 days; for finer or calendar-based timing use a cron expression.");
        }
    }

    private static long Threshold(RecurringTaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.TimeZone);
        if (options.MisfireThreshold < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MisfireThreshold, "RecurringTaskOptions.MisfireThreshold must be zero or more.");
        }

        return (long)options.MisfireThreshold.TotalMilliseconds;
    }

    private static void ThrowIfInvalidName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxNameLength || name.Contains('|', StringComparison.Ordinal) || name.Any(char.IsControl))
        {
            throw new ArgumentException($"The recurring schedule name '{name}' is invalid: use 1 to {MaxNameLength} characters without '|' or control characters, such as \"nightly-report\".", nameof(name));
        }
    }

    private async Task<bool> DefineAsync<T>(string name, T payload, Func<string, RecurringDefinition> define, CancellationToken cancellationToken)
    {
        ThrowIfInvalidName(name);
        var keys = names.GetKeys(typeof(T));
        var definition = define(Encoding.UTF8.GetString(serializer.Serialize(payload)));
        // The first occurrence by this host's clock: which instant comes first does not depend on
        // the clock, and whether it is due is decided by the Redis server's clock as for any task.
        var first = definition.NextAfter(time.GetUtcNow().ToUnixTimeMilliseconds());
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        // Its occurrences run as roots of their own traces, each linked to this call (recur.lua).
        var link = StoredTraceContext.CaptureLink(Activity.Current);
        return await DefineScript.SetAsync(database, keys, name, definition.ToJson(), first, link).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
