using BenchmarkDotNet.Attributes;

namespace RedisScheduler.Benchmarks;

/// <summary>
/// What scheduling costs the caller, per task: one awaited <c>ScheduleTaskAsync</c> (one EVALSHA
/// round trip each), a batch through <c>ScheduleTasksAsync</c> (chunks of 500 per script call,
/// pipelined), and the JSON serialization both include.
/// </summary>
/// <remarks>
/// Every figure is per task: each invocation handles many tasks and says how many with
/// OperationsPerInvoke. One invocation per iteration, and the schedule is deleted after every
/// iteration (not timed), so each iteration writes into an empty schedule and Redis does not grow
/// over the run. All three share that job, so they share one table and one baseline.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 20)]
[InvocationCount(1)]
public class SchedulingBenchmarks
{
    private const int TasksPerInvoke = 1000;

    // Serializing takes about a thousandth of a round trip: many more per invocation keep an
    // iteration long enough (tens of ms) to time well.
    private const int SerializationsPerInvoke = 100_000;

    // Far in the future, so nothing becomes due and no worker logic is involved.
    private static readonly DateTimeOffset DueAt = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private SchedulerFixture fixture = null!;
    private (DateTimeOffset DueAt, OrderPayload Payload)[] batch = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        fixture = new SchedulerFixture();
        batch = Enumerable.Repeat((DueAt, OrderPayload.Sample), TasksPerInvoke).ToArray();
        var length = fixture.Serializer.Serialize(OrderPayload.Sample).Length;
        if (length != OrderPayload.JsonLength)
        {
            throw new InvalidOperationException($"The sample payload is {length} bytes as JSON, not the {OrderPayload.JsonLength} the benchmark is documented with.");
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup() => fixture.Dispose();

    [IterationCleanup]
    public void ClearSchedule() => fixture.Clear();

    /// <summary>One task per call, each awaited before the next: a round trip per task.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = TasksPerInvoke)]
    public async Task<string> ScheduleOne()
    {
        var id = string.Empty;
        for (var i = 0; i < TasksPerInvoke; i++)
        {
            id = await fixture.Scheduler.ScheduleTaskAsync(DueAt, OrderPayload.Sample).ConfigureAwait(false);
        }

        return id;
    }

    /// <summary>1,000 tasks in one ScheduleTasksAsync call: two script calls of 500, pipelined.</summary>
    [Benchmark(OperationsPerInvoke = TasksPerInvoke)]
    public Task<IReadOnlyList<string>> ScheduleBatch() => fixture.Scheduler.ScheduleTasksAsync(batch);

    /// <summary>The payload to UTF-8 JSON (110 bytes), as both calls above do for every task; no Redis.</summary>
    [Benchmark(OperationsPerInvoke = SerializationsPerInvoke)]
    public int SerializePayload()
    {
        var bytes = 0;
        for (var i = 0; i < SerializationsPerInvoke; i++)
        {
            bytes += fixture.Serializer.Serialize(OrderPayload.Sample).Length;
        }

        return bytes;
    }
}
