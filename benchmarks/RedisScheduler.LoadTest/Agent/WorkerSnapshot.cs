using System.Globalization;
using System.Runtime;

namespace RedisScheduler.LoadTest.Agent;

/// <summary>
/// What an agent process had used at one instant: CPU, methods its JIT compiled, and its garbage
/// collections with their total pause. Two of them, at <c>go</c> and at the last handler start, say
/// what a drain cost the process beyond its own code: a drain that still compiles measures the JIT,
/// one whose allocations outlive gen0 (spans waiting in an exporter's queue) measures the collector.
/// </summary>
internal readonly record struct WorkerSnapshot(long CpuTicks, long CompiledMethods, int Collections, int Gen1Collections, int Gen2Collections, TimeSpan GcPause)
{
    public static WorkerSnapshot Take() => new(
        CpuNow(),
        JitInfo.GetCompiledMethodCount(),
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2),
        GC.GetTotalPauseDuration());

    /// <summary>This process's user + system CPU time, in ticks.</summary>
    public static long CpuNow() => Environment.CpuUsage.TotalTime.Ticks;

    /// <summary>
    /// The STOPPED line's counts from <paramref name="start"/> to this snapshot: methods compiled,
    /// collections (every generation; a gen1 or gen2 collection collects gen0 too), gen1, gen2, and
    /// the pause in ticks.
    /// </summary>
    public string Since(WorkerSnapshot start) => string.Create(
        CultureInfo.InvariantCulture,
        $"{CompiledMethods - start.CompiledMethods} {Collections - start.Collections} {Gen1Collections - start.Gen1Collections} {Gen2Collections - start.Gen2Collections} {(GcPause - start.GcPause).Ticks}");
}
