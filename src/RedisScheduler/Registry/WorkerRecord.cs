using System.Buffers;
using System.Text.Json;
using RedisScheduler.Handling;

namespace RedisScheduler.Registry;

/// <summary>
/// An instance's registration as stored in the registry's info hash (registry.lua keeps it as an
/// opaque string): <c>{"machine":…,"pid":…,"version":…,"started":&lt;Unix ms&gt;,"timeout":&lt;ms&gt;,
/// "running":…,"ids":["type/local id",…],"types":[["type",concurrency],…]}</c>. Written and read here only.
/// </summary>
internal static class WorkerRecord
{
    /// <summary>
    /// The most running task ids one record carries (<c>running</c> keeps the true count): a record is
    /// rewritten at every heartbeat and read whole by every listing, so an instance with 10,000 tasks
    /// in flight must not make it 10,000 ids long.
    /// </summary>
    public const int MaxRunningTaskIds = 50;

    public static byte[] Write(string machineName, int processId, string version, DateTimeOffset startedAt, TimeSpan timeout, int running, IReadOnlyList<string> runningTaskIds, IReadOnlyList<WorkerPulse> workers)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("machine", machineName);
            json.WriteNumber("pid", processId);
            json.WriteString("version", version);
            json.WriteNumber("started", startedAt.ToUnixTimeMilliseconds());
            json.WriteNumber("timeout", (long)timeout.TotalMilliseconds);
            json.WriteNumber("running", running);
            json.WriteStartArray("ids");
            for (var i = 0; i < Math.Min(runningTaskIds.Count, MaxRunningTaskIds); i++)
            {
                json.WriteStringValue(runningTaskIds[i]);
            }

            json.WriteEndArray();
            json.WriteStartArray("types");
            foreach (var worker in workers)
            {
                json.WriteStartArray();
                json.WriteStringValue(worker.TaskType);
                json.WriteNumberValue(worker.Concurrency);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a registration; <paramref name="expiresAtMs"/> is its score in the workers set.</summary>
    public static WorkerInfo Parse(string instanceId, long expiresAtMs, ReadOnlySpan<byte> utf8)
    {
        using var document = JsonDocument.Parse(utf8.ToArray());
        var root = document.RootElement;
        var types = new List<WorkerTaskType>();
        foreach (var type in root.GetProperty("types").EnumerateArray())
        {
            types.Add(new WorkerTaskType(type[0].GetString()!, type[1].GetInt32()));
        }

        // Absent from the records of instances running a version from before the ids were added.
        var ids = new List<string>();
        if (root.TryGetProperty("ids", out var written))
        {
            foreach (var id in written.EnumerateArray())
            {
                ids.Add(id.GetString()!);
            }
        }

        var timeoutMs = root.GetProperty("timeout").GetInt64();
        return new WorkerInfo(
            instanceId,
            root.GetProperty("machine").GetString()!,
            root.GetProperty("pid").GetInt32(),
            root.GetProperty("version").GetString()!,
            types,
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("started").GetInt64()),
            DateTimeOffset.FromUnixTimeMilliseconds(expiresAtMs - timeoutMs),
            DateTimeOffset.FromUnixTimeMilliseconds(expiresAtMs),
            root.GetProperty("running").GetInt32())
        {
            RunningTaskIds = ids,
        };
    }
}
