using BenchmarkDotNet.Attributes;

namespace RedisScheduler.Benchmarks;

/// <summary>
/// Measure, then choose: how should a worker get a due task?
/// <list type="bullet">
/// <item>(a) <see cref="ClaimPromotes"/>: claim.lua alone promotes due tasks to the ready list and claims one,
/// in ONE round trip (the design the library uses).</item>
/// <item>(b) <see cref="DispatchThenClaim"/>: a separate dispatch.lua call first moves due tasks, then
/// claim.lua takes one: TWO round trips.</item>
/// </list>
/// Each claimed task is then acknowledged with ack.lua, as a worker does when its handler succeeds.
/// </summary>
/// <remarks>
/// Every iteration starts with <see cref="TasksPerInvoke"/> tasks that are already due (prepared in
/// [IterationSetup], not timed) and handles all of them, one after another, each call awaited; the
/// figures are per task. Both designs promote with the default limit of 500 per script call, so
/// both do the same promotion work; in (b) claim.lua still runs its promotion step too (it finds
/// nothing due, as dispatch.lua just moved it), exactly as the script would in that design.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 20)]
[InvocationCount(1)]
public class DispatchDesignBenchmarks : FixtureBenchmarks
{
    private const int TasksPerInvoke = 1000;

    [IterationSetup]
    public void PrepareDueTasks() => PrepareDue(TasksPerInvoke);

    /// <summary>(a) One round trip to get a task: claim.lua promotes and claims; then ack.lua.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = TasksPerInvoke)]
    public async Task ClaimPromotes()
    {
        for (var i = 0; i < TasksPerInvoke; i++)
        {
            var task = await Fixture.ClaimOneAsync().ConfigureAwait(false);
            await Fixture.AckAsync(task).ConfigureAwait(false);
        }
    }

    /// <summary>(b) Two round trips to get a task: dispatch.lua, then claim.lua; then ack.lua.</summary>
    [Benchmark(OperationsPerInvoke = TasksPerInvoke)]
    public async Task DispatchThenClaim()
    {
        for (var i = 0; i < TasksPerInvoke; i++)
        {
            await Fixture.DispatchAsync().ConfigureAwait(false);
            var task = await Fixture.ClaimOneAsync().ConfigureAwait(false);
            await Fixture.AckAsync(task).ConfigureAwait(false);
        }
    }
}
