using BenchmarkDotNet.Attributes;

namespace RedisScheduler.Benchmarks;

/// <summary>
/// The worker's hot path for one task: claim.lua takes it (with a lease and a delivery token) and,
/// once the handler has succeeded, ack.lua removes it; with the parsing TaskWorker does in between.
/// Two bare PINGs are the reference: the two round trips alone, without any script.
/// </summary>
/// <remarks>
/// Each iteration runs <see cref="InvocationsPerIteration"/> invocations over as many tasks that are
/// already due, prepared in [IterationSetup] (not timed). claim.lua promotes up to 500 due tasks in
/// the call that finds them, so that work is spread over the claims as it is in a real worker.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 20, invocationCount: InvocationsPerIteration)]
public class ClaimAckBenchmarks : FixtureBenchmarks
{
    private const int InvocationsPerIteration = 2048;

    [IterationSetup(Target = nameof(ClaimAndAck))]
    public void PrepareDueTasks() => PrepareDue(InvocationsPerIteration);

    /// <summary>Claim one due task, then acknowledge it: two EVALSHA round trips.</summary>
    [Benchmark(Baseline = true)]
    public async Task ClaimAndAck()
    {
        var task = await Fixture.ClaimOneAsync().ConfigureAwait(false);
        await Fixture.AckAsync(task).ConfigureAwait(false);
    }

    /// <summary>Two PINGs, awaited one after the other: the round-trip floor under ClaimAndAck.</summary>
    [Benchmark]
    public async Task TwoPings()
    {
        await Fixture.PingAsync().ConfigureAwait(false);
        await Fixture.PingAsync().ConfigureAwait(false);
    }
}
