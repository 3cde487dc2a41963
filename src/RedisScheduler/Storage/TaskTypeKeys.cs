using System.Collections.Concurrent;
using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>
/// The Redis keys of one task type, or of one partition of a partitioned type. They share the hash
/// tag <c>{type}</c> (partition 0, and every type that is not partitioned) or <c>{type#p}</c>
/// (partition p ≥ 1), so every script touches one cluster slot while different types, and the
/// partitions of one type, may live on different nodes. See docs/key-layout.md and docs/scaling.md.
/// </summary>
internal sealed class TaskTypeKeys
{
    public TaskTypeKeys(string prefix, string taskType, int partition = 0)
    {
        Prefix = prefix;
        TaskType = taskType;
        Partition = partition;
        IdType = TaskPartitions.IdType(taskType, partition);
        var stem = $"{prefix}:{{{IdType}}}:";
        Due = stem + "due";
        Ready = stem + "ready";
        InFlight = stem + "inflight";
        Tasks = stem + "tasks";
        Sequence = stem + "seq";
        DeadLetters = stem + "dead";
        Errors = stem + "errors";
        RateWindow = stem + "rate";
        Recurring = stem + "recurring";
        RecurringNext = stem + "recurring-next";
        ReadyHigh = stem + "ready-high";
        ReadyLow = stem + "ready-low";
        Results = stem + "results";
        Done = stem + "done";
        Waiters = stem + "waiters";
        Waiting = stem + "waiting";
        Dependents = stem + "dependents";
        Outbox = stem + "outbox";
        Succeeded = stem + "succeeded";
        Failed = stem + "failed";
        parentsStem = stem + "parents:";
        PartitionCounts = stem + "partitions";
        activityStem = stem + "activity:";
        DoneChannel = stem + "done-channel";
        WakeChannel = stem + "wake";
        All = [Due, Ready, InFlight, Tasks, Sequence, DeadLetters, Errors, RateWindow, Recurring, RecurringNext, ReadyHigh, ReadyLow, Results, Done, Waiters, Waiting, Dependents, Outbox, Succeeded, Failed];
    }

    private readonly string parentsStem;
    private readonly string activityStem;

    /// <summary>The keys of each script that receives only those it uses, by its <see cref="SchedulerScript.KeyIndices"/>: built once, not per call.</summary>
    private readonly ConcurrentDictionary<int[], RedisKey[]> subsets = new();

    /// <summary>The key prefix (<see cref="RedisSchedulerOptions.KeyPrefix"/>).</summary>
    public string Prefix { get; }

    /// <summary>The task type's name, the same for every partition: what telemetry and <see cref="TaskInfo.TaskType"/> show.</summary>
    public string TaskType { get; }

    /// <summary>Which partition of the type these keys hold (0 for a type that is not partitioned).</summary>
    public int Partition { get; }

    /// <summary>
    /// The part of a task id before the <c>/</c>, which is also the hash tag: the type's name for
    /// partition 0, <c>type#p</c> for partition p, so an id names the keys that hold its task.
    /// </summary>
    public string IdType { get; }

    public RedisKey Due { get; }

    public RedisKey Ready { get; }

    public RedisKey InFlight { get; }

    public RedisKey Tasks { get; }

    public RedisKey Sequence { get; }

    public RedisKey DeadLetters { get; }

    public RedisKey Errors { get; }

    public RedisKey RateWindow { get; }

    public RedisKey Recurring { get; }

    public RedisKey RecurringNext { get; }

    public RedisKey ReadyHigh { get; }

    public RedisKey ReadyLow { get; }

    public RedisKey Results { get; }

    public RedisKey Done { get; }

    public RedisKey Waiters { get; }

    public RedisKey Waiting { get; }

    public RedisKey Dependents { get; }

    public RedisKey Outbox { get; }

    public RedisKey Succeeded { get; }

    public RedisKey Failed { get; }

    /// <summary>
    /// On partition 0 of a type that has ever been partitioned: a ZSET of every partition count used
    /// for it (member and score the count), so workers claim from as many partitions as were ever
    /// used and no task is stranded when the count is lowered. Not among <see cref="All"/>: no script uses it.
    /// </summary>
    public RedisKey PartitionCounts { get; }

    /// <summary>Pub/sub channel (not a key): ids of tasks that finished, while anyone waits for one.</summary>
    public string DoneChannel { get; }

    public string WakeChannel { get; }

    /// <summary>The hash of a continuation's parents and their outcomes (parents_key in Scripts/common.lua).</summary>
    public RedisKey ParentsOf(string localId) => parentsStem + localId;

    /// <summary>The hash of one hour's activity buckets, a field per minute (<see cref="ActivityBucket"/>; activity_key in Scripts/common.lua).</summary>
    public RedisKey ActivityOf(long unixHour) => activityStem + unixHour.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The keys in the order every script expects them (see Scripts/common.lua).</summary>
    public RedisKey[] All { get; }

    /// <summary>The keys <paramref name="script"/> receives: <see cref="All"/>, or only the ones it uses (<see cref="SchedulerScript.KeyIndices"/>).</summary>
    public RedisKey[] For(SchedulerScript script)
        => script.KeyIndices is { } used ? subsets.GetOrAdd(used, static (indices, all) => Array.ConvertAll(indices, i => all[i]), All) : All;
}
