using System.Reflection;
using System.Text.Json;
using RedisScheduler.LoadTest.Agent;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.LoadTest.Systems;

/// <summary>
/// The client-side ceiling: StackExchange.Redis (the library's pinned version) alone, scheduling each
/// task with the least any Redis scheduler must do, one EVALSHA of a script that writes the record
/// into a hash and the id into a sorted set. W1 against this shows what RedisScheduler itself adds
/// to the same client, network and Redis. Its batch mode is the least a batched scheduler must do:
/// one EVALSHA per 500 tasks (as the library sends them) of a script that only writes the records
/// with one HSET and the ids with one ZADD, the ids made by the client; the calls of a batch are
/// pipelined.
/// </summary>
internal sealed class BareClientAgent : ISystemAgent
{
    private const string Script = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]); return redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])";
    private const string BatchScript = """
        local h, z = {}, {}
        for i = 1, #ARGV / 3 do
          h[2 * i - 1] = ARGV[3 * i - 2]
          h[2 * i] = ARGV[3 * i]
          z[2 * i - 1] = ARGV[3 * i - 1]
          z[2 * i] = ARGV[3 * i - 2]
        end
        redis.call('HSET', KEYS[1], unpack(h))
        return redis.call('ZADD', KEYS[2], unpack(z))
        """;

    private const int BatchChunkSize = 500;
    private static readonly RedisKey[] Keys = ["bare:{order}:tasks", "bare:{order}:due"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private ConnectionMultiplexer? multiplexer;
    private IDatabase? database;
    private byte[] sha = [];
    private byte[] batchSha = [];
    private long nextId;

    public string Description { get; } =
        $"StackExchange.Redis {typeof(ConnectionMultiplexer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]} with the library's client settings, one EVALSHA (HSET + ZADD) per task, or per 500 tasks in a batch";

    public bool BlocksCallingThread => false;

    public bool SupportsBatch => true;

    public async Task PrepareAsync(AgentArguments arguments)
    {
        if (arguments.IsWorker)
        {
            throw new NotSupportedException("The bare client has no worker: it only measures scheduling (W1).");
        }

        // The library's own client settings (socket manager, reconnects), so the ratio of RedisScheduler
        // to this ceiling measures what the library adds, not a difference in client configuration.
        multiplexer = await ConnectionMultiplexer.ConnectAsync(RedisClientConfiguration.Create(arguments.Redis));
        database = multiplexer.GetDatabase();
        sha = await multiplexer.GetServers()[0].ScriptLoadAsync(Script);
        batchSha = await multiplexer.GetServers()[0].ScriptLoadAsync(BatchScript);
    }

    public async ValueTask ScheduleAsync(LoadOrder order, DateTimeOffset dueAt)
        => await Call(order, dueAt);

    public void Schedule(LoadOrder order, DateTimeOffset dueAt)
        => database!.ScriptEvaluate(sha, Keys, [Interlocked.Increment(ref nextId), dueAt.ToUnixTimeMilliseconds(), JsonSerializer.SerializeToUtf8Bytes(order, Json)]);

    public Task ScheduleBatchAsync(IReadOnlyList<(DateTimeOffset DueAt, LoadOrder Order)> tasks)
    {
        var calls = new List<Task<RedisResult>>((tasks.Count / BatchChunkSize) + 1);
        for (var start = 0; start < tasks.Count; start += BatchChunkSize)
        {
            var count = Math.Min(BatchChunkSize, tasks.Count - start);
            var args = new RedisValue[3 * count];
            for (var i = 0; i < count; i++)
            {
                var (dueAt, order) = tasks[start + i];
                args[3 * i] = Interlocked.Increment(ref nextId);
                args[(3 * i) + 1] = dueAt.ToUnixTimeMilliseconds();
                args[(3 * i) + 2] = JsonSerializer.SerializeToUtf8Bytes(order, Json);
            }

            calls.Add(database!.ScriptEvaluateAsync(batchSha, Keys, args));
        }

        return Task.WhenAll(calls);
    }

    public Task StartWorkerAsync() => throw new NotSupportedException();

    public Task StopWorkerAsync(TimeSpan timeout) => throw new NotSupportedException();

    public async ValueTask DisposeAsync()
    {
        if (multiplexer is not null)
        {
            await multiplexer.DisposeAsync();
        }
    }

    private Task<RedisResult> Call(LoadOrder order, DateTimeOffset dueAt)
        => database!.ScriptEvaluateAsync(sha, Keys, [Interlocked.Increment(ref nextId), dueAt.ToUnixTimeMilliseconds(), JsonSerializer.SerializeToUtf8Bytes(order, Json)]);
}
