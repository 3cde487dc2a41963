using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Registry;

/// <summary>The reading side of the worker registry, for <see cref="ITaskMonitor"/>.</summary>
internal static class WorkerRegistryReader
{
    private static readonly RedisValue[] List = ["list"];

    public static async Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(RedisConnection connection, RegistryKeys keys, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var result = (RedisResult[])(await SchedulerScripts.EvaluateAsync(database, SchedulerScripts.Instance.Registry, keys.All, List)
            .WaitAsync(cancellationToken).ConfigureAwait(false))!;
        var workers = new List<WorkerInfo>(result.Length / 3);
        for (var i = 0; i + 2 < result.Length; i += 3)
        {
            workers.Add(WorkerRecord.Parse((string)result[i]!, (long)result[i + 1], (byte[])result[i + 2]!));
        }

        return workers;
    }

    public static async Task<IReadOnlyList<string>> ListTaskTypesAsync(RedisConnection connection, RegistryKeys keys, CancellationToken cancellationToken)
    {
        var database = await connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        // HGETALL rather than HKEYS: one command fewer for a least-privilege ACL user to be granted.
        var types = await database.HashGetAllAsync(keys.Types).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. types.Select(t => (string)t.Name!).Order(StringComparer.Ordinal)];
    }
}
