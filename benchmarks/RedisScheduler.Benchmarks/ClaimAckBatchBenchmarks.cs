using BenchmarkDotNet.Attributes;
using RedisScheduler.Handling;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Benchmarks;

/// <summary>
/// The Redis side of a busy worker's hot path, per task: claim.lua takes <see cref="Batch"/> due tasks
/// in one call (parsed into <see cref="ClaimedTask"/>s as TaskClaimer does) and ack.lua acknowledges
/// them in one call, with the arguments AckBatcher writes. Set against WorkerDrainBenchmarks, it
/// splits the worker's allocations per task into the Redis calls' share (client library, reply
/// parsing, arguments) and the rest (running the handler and the bookkeeping around it).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15, invocationCount: InvocationsPerIteration)]
public class ClaimAckBatchBenchmarks : FixtureBenchmarks
{
    /// <summary>Tasks per claim and per acknowledgement: what a worker with concurrency 32 takes under a backlog.</summary>
    public const int Batch = 32;

    private const int InvocationsPerIteration = 256;

    [IterationSetup]
    public void PrepareDueTasks() => PrepareDue(InvocationsPerIteration * Batch);

    /// <summary>One claim of 32 tasks and one acknowledgement of them; figures are per task.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task ClaimAndAck32()
    {
        var claim = await ClaimScript.RunAsync(Fixture.Database, Fixture.Keys, Batch, Fixture.Options, Fixture.Options.Retry.MaxAttempts).ConfigureAwait(false);
        if (claim.Claimed.Count != Batch)
        {
            throw new InvalidOperationException($"claim.lua returned {claim.Claimed.Count} tasks, not {Batch}: the benchmark prepared too few.");
        }

        var call = AckScript.Create(Fixture.Keys, Fixture.Options.SucceededHistoryLimit, Batch);
        for (var i = 0; i < Batch; i++)
        {
            AckScript.SetTask(call, i, claim.Claimed[i], null);
        }

        if (AckScript.ParseReply(await call.EvaluateAsync(Fixture.Database, Fixture.Keys).ConfigureAwait(false)).LeaseLost.Any())
        {
            throw new InvalidOperationException("ack.lua found a lease lost in a benchmark that has no other worker.");
        }
    }
}
