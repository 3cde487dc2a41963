using System.Globalization;
using System.Text;

namespace RedisScheduler.Storage;

/// <summary>
/// How a partitioned task type names its partitions (see docs/scaling.md): partition 0 is the type
/// itself, <c>{type}</c>, so a type that is not partitioned, and all its existing data, stay as they
/// are; partition p ≥ 1 is <c>{type#p}</c>, a hash tag of its own that a cluster places on its own
/// slot. <c>#</c> is not allowed in type names, so no type can take a partition's tag. No Lua script
/// reads this format: a script only ever sees the keys of one partition.
/// </summary>
internal static class TaskPartitions
{
    /// <summary>The most partitions a type may have: far more masters than a cluster of one application needs.</summary>
    public const int Max = 64;

    private const char Separator = '#';

    /// <summary>The id type (and hash tag) of <paramref name="partition"/> of <paramref name="taskType"/>.</summary>
    public static string IdType(string taskType, int partition)
        => partition == 0 ? taskType : taskType + Separator + partition.ToString(CultureInfo.InvariantCulture);

    /// <summary>Splits an id type, as found before the <c>/</c> of a task id, into the type and its partition.</summary>
    public static bool TryParseIdType(string idType, out string taskType, out int partition)
    {
        var hash = idType.IndexOf(Separator, StringComparison.Ordinal);
        if (hash < 0)
        {
            (taskType, partition) = (idType, 0);
            return TaskTypeNames.IsValidName(idType);
        }

        var digits = idType.AsSpan(hash + 1);
        // One canonical spelling per partition: no sign, no leading zero, and never "#0", which is the type itself.
        if (digits.Length is 0 or > 2 || digits[0] is < '1' or > '9'
            || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out partition) || partition >= Max
            || !TaskTypeNames.IsValidName(idType[..hash]))
        {
            (taskType, partition) = (string.Empty, 0);
            return false;
        }

        taskType = idType[..hash];
        return true;
    }

    /// <summary>
    /// The partition a task key (ScheduleTaskOnceAsync) always goes to, so the key stays unique across
    /// the partitions: FNV-1a of its UTF-8 bytes, which, unlike <see cref="string.GetHashCode()"/>,
    /// is the same in every process and every version.
    /// </summary>
    public static int ForKey(string taskKey, int partitions)
    {
        if (partitions == 1)
        {
            return 0;
        }

        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(taskKey))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return (int)(hash % (uint)partitions);
    }
}
