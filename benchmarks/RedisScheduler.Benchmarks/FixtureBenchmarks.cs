using BenchmarkDotNet.Attributes;

namespace RedisScheduler.Benchmarks;

/// <summary>
/// The lifecycle the script benchmarks share: a private redis-server and the library's types over it
/// (<see cref="SchedulerFixture"/>) for the whole run, and due tasks prepared before each iteration.
/// </summary>
public abstract class FixtureBenchmarks
{
    private protected SchedulerFixture Fixture { get; private set; } = null!;

    [GlobalSetup]
    public void GlobalSetup() => Fixture = new SchedulerFixture();

    [GlobalCleanup]
    public void GlobalCleanup() => Fixture.Dispose();

    /// <summary>Empties the type's keys and schedules <paramref name="count"/> tasks that are already due (not timed).</summary>
    private protected void PrepareDue(int count)
    {
        Fixture.Clear();
        Fixture.ScheduleDue(count);
    }
}
