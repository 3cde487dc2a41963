using Microsoft.Extensions.Options;
using RedisScheduler.Continuations;
using RedisScheduler.Dispatching;
using RedisScheduler.Handling;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Benchmarks;

/// <summary>
/// What every benchmark needs: a private Redis server, one connection to it, and the library's own
/// internal types wired as <c>AddRedisScheduler()</c> wires them, with default options.
/// Created in [GlobalSetup], disposed in [GlobalCleanup].
/// </summary>
internal sealed class SchedulerFixture : IDisposable
{
    private readonly RedisServerProcess server;
    private readonly ConnectionMultiplexer multiplexer;
    private readonly RedisConnection connection;

    public SchedulerFixture()
    {
        server = RedisServerProcess.Start();
        try
        {
            multiplexer = ConnectionMultiplexer.Connect(server.Configuration);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        Options = new RedisSchedulerOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer),
        };
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        connection = new RedisConnection(options);
        var names = new TaskTypeNames(options);
        Serializer = new PayloadSerializer(options);
        var relay = new ContinuationRelay(names);
        var router = new PartitionRouter(names, connection);
        Scheduler = new RedisTaskScheduler(connection, names, router, Serializer, TimeProvider.System, new ContinuationScheduler(connection, names, router, Serializer, relay), relay);
        Keys = names.GetKeys(typeof(OrderPayload));
        Database = multiplexer.GetDatabase();
    }

    public RedisSchedulerOptions Options { get; }

    public IDatabase Database { get; }

    public TaskTypeKeys Keys { get; }

    public PayloadSerializer Serializer { get; }

    public RedisTaskScheduler Scheduler { get; }

    /// <summary>Deletes every key of the benchmark's task type, so each iteration starts from an empty schedule.</summary>
    public void Clear() => Database.KeyDelete(Keys.All);

    /// <summary>Puts <paramref name="count"/> tasks into the schedule, all already due (a past due time is clamped to the server's now).</summary>
    public void ScheduleDue(int count)
    {
        var tasks = Enumerable.Repeat((DateTimeOffset.UnixEpoch, OrderPayload.Sample), count);
        // [IterationSetup] is synchronous; there is no synchronization context to deadlock on here.
        var ids = Scheduler.ScheduleTasksAsync(tasks).GetAwaiter().GetResult();
        if (ids.Count != count)
        {
            throw new InvalidOperationException($"Scheduled {ids.Count} tasks instead of {count}.");
        }
    }

    /// <summary>
    /// Claims one task as a worker with concurrency 1 does (TaskClaimer's own ClaimScript call); fails
    /// if none was due, so a benchmark can never time an empty claim.
    /// </summary>
    public async Task<ClaimedTask> ClaimOneAsync()
    {
        var claim = await ClaimScript.RunAsync(Database, Keys, 1, Options, Options.Retry.MaxAttempts).ConfigureAwait(false);
        return claim.Claimed.Count == 1
            ? claim.Claimed[0]
            : throw new InvalidOperationException("claim.lua returned no task: the benchmark prepared fewer due tasks than it claims.");
    }

    /// <summary>Acknowledges a claimed task as a worker does after its handler succeeded.</summary>
    public async Task AckAsync(ClaimedTask task)
    {
        var call = AckScript.Create(Keys, new RedisSchedulerOptions().SucceededHistoryLimit, 1);
        AckScript.SetTask(call, 0, task, null);
        if (AckScript.ParseReply(await call.EvaluateAsync(Database, Keys).ConfigureAwait(false)).LeaseLost.Any())
        {
            throw new InvalidOperationException($"ack.lua did not acknowledge task {task.LocalId}: its lease was lost.");
        }
    }

    /// <summary>The standalone dispatcher's call: moves up to DispatchBatchSize due tasks to the ready list.</summary>
    public Task<(int Moved, long NextDueMs, long NowMs)> DispatchAsync()
        => DueTaskDispatcher.DispatchAsync(Database, Keys, Options.DispatchBatchSize);

    /// <summary>A bare round trip: the floor under any call to Redis from this client.</summary>
    public Task<TimeSpan> PingAsync() => Database.PingAsync();

    public void Dispose()
    {
        connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        multiplexer.Dispose();
        server.Dispose();
    }
}
