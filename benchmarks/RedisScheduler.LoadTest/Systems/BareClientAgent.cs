using System.Reflection;
using System.Text.Json;
using RedisScheduler.LoadTest.Agent;
using StackExchange.Redis;

namespace RedisScheduler.LoadTest.Systems;

/// <summary>
/// The client-side ceiling: StackExchange.Redis (the library's pinned version) alone, scheduling each
/// task with the least any Redis scheduler must do, one EVALSHA of a script that writes the record
/// into a hash and the id into a sorted set. W1 against this shows what RedisScheduler itself adds
/// to the same client, network and Redis. Its batch mode pipelines one call per task.
/// </summary>
internal sealed class BareClientAgent : ISystemAgent
{
    private const string Script = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]); return redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])";
    private static readonly RedisKey[] Keys = ["bare:{order}:tasks", "bare:{order}:due"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private ConnectionMultiplexer? multiplexer;
    private IDatabase? database;
    private byte[] sha = [];
    private long nextId;

    public string Description { get; } =
        $"StackExchange.Redis {typeof(ConnectionMultiplexer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]}, one EVALSHA (HSET + ZADD) per task";

    public bool BlocksCallingThread => false;

    public bool SupportsBatch => true;

    public async Task PrepareAsync(AgentArguments arguments)
    {
        if (arguments.IsWorker)
        {
            throw new NotSupportedException("The bare client has no worker: it only measures scheduling (W1).");
        }

        multiplexer = await ConnectionMultiplexer.ConnectAsync(arguments.Redis);
        database = multiplexer.GetDatabase();
        sha = await multiplexer.GetServers()[0].ScriptLoadAsync(Script);
    }

    public async ValueTask ScheduleAsync(LoadOrder order, DateTimeOffset dueAt)
        => await Call(order, dueAt);

    public Task ScheduleBatchAsync(IReadOnlyList<(DateTimeOffset DueAt, LoadOrder Order)> tasks)
        => Task.WhenAll(tasks.Select(t => Call(t.Order, t.DueAt)));

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
