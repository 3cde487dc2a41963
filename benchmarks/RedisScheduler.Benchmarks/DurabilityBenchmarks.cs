using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using RedisScheduler.Continuations;
using RedisScheduler.Handling;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Benchmarks;

/// <summary>
/// What <see cref="RedisSchedulerOptions.WaitForReplicas"/> = 1 costs, against a master with one
/// replica (both private redis-servers on loopback): W1's calls (one awaited ScheduleTaskAsync per
/// task; 1,000 tasks in one ScheduleTasksAsync call) and a worker's claim + acknowledgement through
/// OutcomeSender, each with the option off (the baselines) and on. Every figure is per task.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
[InvocationCount(1)]
public class DurabilityBenchmarks
{
    private const int TasksPerInvoke = 1000;
    private static readonly DateTimeOffset DueAt = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private RedisServerProcess master = null!;
    private RedisServerProcess replica = null!;
    private ConnectionMultiplexer multiplexer = null!;
    private Side plain = null!;
    private Side durable = null!;
    private (DateTimeOffset DueAt, OrderPayload Payload)[] batch = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        master = RedisServerProcess.Start();
        replica = RedisServerProcess.Start("--replicaof", "127.0.0.1", master.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        multiplexer = ConnectionMultiplexer.Connect(master.Configuration + ",allowAdmin=true");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!(multiplexer.GetServer(master.Configuration).InfoRaw("replication") ?? "").Contains("state=online", StringComparison.Ordinal))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("The replica did not come online within 30 s.");
            }

            Thread.Sleep(50);
        }

        plain = new Side(multiplexer, 0);
        durable = new Side(multiplexer, 1);
        batch = Enumerable.Repeat((DueAt, OrderPayload.Sample), TasksPerInvoke).ToArray();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        multiplexer.Dispose();
        replica.Dispose();
        master.Dispose();
    }

    [IterationSetup(Targets = [nameof(ClaimAndAck), nameof(ClaimAndAckWaitingForReplica)])]
    public void PrepareDue()
    {
        plain.Clear();
        plain.Scheduler.ScheduleTasksAsync(Enumerable.Repeat((DateTimeOffset.UnixEpoch, OrderPayload.Sample), TasksPerInvoke)).GetAwaiter().GetResult();
    }

    [IterationCleanup(Targets = [nameof(ScheduleOne), nameof(ScheduleOneWaitingForReplica), nameof(ScheduleBatch), nameof(ScheduleBatchWaitingForReplica)])]
    public void ClearSchedule() => plain.Clear();

    /// <summary>W1 sequential: one awaited ScheduleTaskAsync per task, no WAIT.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = TasksPerInvoke)]
    public Task<string> ScheduleOne() => ScheduleEachAsync(plain);

    /// <summary>The same with WaitForReplicas = 1: the script, then WAIT 1 behind it on the same socket.</summary>
    [Benchmark(OperationsPerInvoke = TasksPerInvoke)]
    public Task<string> ScheduleOneWaitingForReplica() => ScheduleEachAsync(durable);

    /// <summary>W1 batch: 1,000 tasks in one ScheduleTasksAsync call (two script calls), no WAIT.</summary>
    [Benchmark(OperationsPerInvoke = TasksPerInvoke)]
    public Task<IReadOnlyList<string>> ScheduleBatch() => plain.Scheduler.ScheduleTasksAsync(batch);

    /// <summary>The same with WaitForReplicas = 1: one WAIT behind both script calls.</summary>
    [Benchmark(OperationsPerInvoke = TasksPerInvoke)]
    public Task<IReadOnlyList<string>> ScheduleBatchWaitingForReplica() => durable.Scheduler.ScheduleTasksAsync(batch);

    /// <summary>A worker's claim of one due task and its acknowledgement (OutcomeSender), no WAIT.</summary>
    [Benchmark(OperationsPerInvoke = TasksPerInvoke)]
    public Task ClaimAndAck() => ClaimAndAckEachAsync(plain);

    /// <summary>The same with WaitForReplicas = 1 on the acknowledgement.</summary>
    [Benchmark(OperationsPerInvoke = TasksPerInvoke)]
    public Task ClaimAndAckWaitingForReplica() => ClaimAndAckEachAsync(durable);

    private static async Task<string> ScheduleEachAsync(Side side)
    {
        var id = string.Empty;
        for (var i = 0; i < TasksPerInvoke; i++)
        {
            id = await side.Scheduler.ScheduleTaskAsync(DueAt, OrderPayload.Sample).ConfigureAwait(false);
        }

        return id;
    }

    private static async Task ClaimAndAckEachAsync(Side side)
    {
        for (var i = 0; i < TasksPerInvoke; i++)
        {
            var claim = await ClaimScript.RunAsync(side.Database, side.Keys, 1, side.Options, side.Options.Retry.MaxAttempts).ConfigureAwait(false);
            var call = AckScript.Create(side.Keys, side.Options.SucceededHistoryLimit, 1);
            AckScript.SetTask(call, 0, claim.Claimed[0], null);
            _ = await side.Sender.SendAsync(call).ConfigureAwait(false) ?? throw new InvalidOperationException("The acknowledgement did not reach Redis.");
        }
    }

    /// <summary>The library's types wired as AddRedisScheduler() wires them, with or without the option, on one shared connection.</summary>
    private sealed class Side
    {
        public Side(ConnectionMultiplexer multiplexer, int waitForReplicas)
        {
            Options = new RedisSchedulerOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer),
                WaitForReplicas = waitForReplicas,
            };
            var options = Microsoft.Extensions.Options.Options.Create(Options);
            var connection = new RedisConnection(options);
            var names = new TaskTypeNames(options);
            var serializer = new PayloadSerializer(options);
            var relay = new ContinuationRelay(names);
            var router = new PartitionRouter(names, connection);
            Scheduler = new RedisTaskScheduler(connection, names, router, serializer, TimeProvider.System, new ContinuationScheduler(connection, names, router, serializer, relay), relay);
            Keys = names.GetKeys(typeof(OrderPayload));
            Database = multiplexer.GetDatabase();
            Sender = new OutcomeSender(Keys, connection, new MasterReachability(Keys, connection.Topology, TimeProvider.System, NullLogger.Instance), Options.LeaseDuration, TimeProvider.System, NullLogger.Instance);
        }

        public RedisSchedulerOptions Options { get; }

        public RedisTaskScheduler Scheduler { get; }

        public TaskTypeKeys Keys { get; }

        public IDatabase Database { get; }

        public OutcomeSender Sender { get; }

        public void Clear() => Database.KeyDelete(Keys.All);
    }
}
