using System.Diagnostics;
using System.Globalization;

namespace RedisScheduler.LoadTest.Agent;

/// <summary>
/// The agent process: a client or a worker of one system, driven by the coordinator through a line
/// protocol on stdin/stdout, so that every system is measured by the same code in a process of its own.
/// </summary>
/// <remarks>
/// <para>Agent to coordinator: <c>READY description</c> once connected and warmed up;
/// <c>PROGRESS done cpuTicks</c> while working; <c>SCHEDULED count elapsedTicks cpuTicks p50Ticks p99Ticks</c> (per-call latency percentiles in modes seq and sync, else 0) after a
/// schedule command; <c>STARTED utcTicks cpuTicks</c> after <c>go</c>;
/// <c>STOPPED recordsPath recorded cpuTicks compiledMethods collections gen1Collections gen2Collections gcPauseTicks</c> after <c>stop</c>
/// (CPU at the last handler start, and what the JIT and the garbage collector did from <c>go</c> up to it; <see cref="WorkerSnapshot"/>); <c>ERROR message</c> before exiting
/// on a failure. CPU is this process's user + system time, in ticks.</para>
/// <para>Coordinator to agent: <c>schedule seq|sync|batch:SIZE|concurrent:CALLERS COUNT FIRST_ORDER_ID DUE</c>
/// (DUE as in <see cref="DueTimes"/>), <c>go</c>, <c>stop</c>, <c>quit</c>; end of input means quit.</para>
/// </remarks>
internal static class AgentMain
{
    private static readonly object OutputGate = new();

    public static async Task<int> RunAsync(IReadOnlyList<string> args, Func<AgentArguments, ISystemAgent> create)
    {
        try
        {
            var arguments = AgentArguments.Parse(args);
            if (arguments.IsWorker)
            {
                HandlerRecorder.Initialize(arguments.Capacity);
            }

            await using var agent = create(arguments);
            await agent.PrepareAsync(arguments);
            Send($"READY {agent.Description}");
            using var stopProgress = new CancellationTokenSource();
            Task<WorkerSnapshot>? progress = null;
            var atStart = default(WorkerSnapshot);
            var commands = ReadCommandsOnOwnThread();
            while (await commands.ReadAsync() is { } line)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                switch (words.FirstOrDefault())
                {
                    case "schedule":
                        await ScheduleAsync(agent, words);
                        break;
                    case "go":
                        atStart = WorkerSnapshot.Take();
                        var startedAt = DateTime.UtcNow.Ticks;
                        await agent.StartWorkerAsync();
                        Send(Invariant($"STARTED {startedAt} {atStart.CpuTicks}"));
                        progress = ReportHandlerProgressAsync(stopProgress.Token);
                        break;
                    case "stop":
                        await agent.StopWorkerAsync(TimeSpan.FromSeconds(15));
                        await stopProgress.CancelAsync();
                        var atLastTask = progress is null ? WorkerSnapshot.Take() : await progress;
                        var path = Path.Combine(Path.GetTempPath(), $"loadtest-records-{Environment.ProcessId}.bin");
                        var recorded = HandlerRecorder.WriteTo(path);
                        Send(Invariant($"STOPPED {path} {recorded} {atLastTask.CpuTicks} {atLastTask.Since(atStart)}"));
                        break;
                    case "quit":
                        return 0;
                    case null:
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown command '{line}'.");
                }
            }

            return 0;
        }
#pragma warning disable CA1031 // Any failure is reported to the coordinator, which stops the run with it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Send("ERROR " + e.ToString().ReplaceLineEndings(" | "));
            return 1;
        }
    }

    /// <summary>
    /// Reads stdin on a thread of its own. Console.In.ReadLineAsync completes synchronously: awaited in
    /// the command loop it would block a thread-pool thread until the next command, and with two cores
    /// (two threads in the pool at first) that starves the system under test and stalls it for the
    /// half second or more the pool takes to add a thread.
    /// </summary>
    private static CommandReader ReadCommandsOnOwnThread()
    {
        var reader = new CommandReader();
        new Thread(reader.Run) { IsBackground = true, Name = "agent stdin" }.Start();
        return reader;
    }

    private static async Task ScheduleAsync(ISystemAgent agent, string[] words)
    {
        var mode = words[1];
        var count = int.Parse(words[2], CultureInfo.InvariantCulture);
        var first = int.Parse(words[3], CultureInfo.InvariantCulture);
        var due = DueTimes.Parse(words[4]);
        var done = 0;
        using var stop = new CancellationTokenSource();
        var progress = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                Send(Invariant($"PROGRESS {Volatile.Read(ref done)} {CpuTicks()}"));
            }
        });

        var cpu = CpuTicks();
        var clock = Stopwatch.StartNew();
        long[]? latencies = null;
        if (mode is "seq" or "sync")
        {
            // One call at a time, each timed: the latency a web request pays to schedule a task.
            latencies = new long[count];
            for (var i = 0; i < count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                if (mode == "seq")
                {
                    await agent.ScheduleAsync(LoadOrder.For(first + i), due.At(i));
                }
                else
                {
                    agent.Schedule(LoadOrder.For(first + i), due.At(i));
                }

                latencies[i] = Stopwatch.GetTimestamp() - started;
                Volatile.Write(ref done, i + 1);
            }
        }
        else if (mode.StartsWith("batch:", StringComparison.Ordinal))
        {
            var size = int.Parse(mode["batch:".Length..], CultureInfo.InvariantCulture);
            for (var start = 0; start < count; start += size)
            {
                var batch = new List<(DateTimeOffset, LoadOrder)>(Math.Min(size, count - start));
                for (var i = start; i < start + batch.Capacity; i++)
                {
                    batch.Add((due.At(i), LoadOrder.For(first + i)));
                }

                await agent.ScheduleBatchAsync(batch);
                Volatile.Write(ref done, start + batch.Count);
            }
        }
        else if (mode.StartsWith("concurrent:", StringComparison.Ordinal))
        {
            var callers = int.Parse(mode["concurrent:".Length..], CultureInfo.InvariantCulture);
            var next = -1;
            async Task CallerAsync()
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    await agent.ScheduleAsync(LoadOrder.For(first + i), due.At(i));
                    Interlocked.Increment(ref done);
                }
            }

            if (agent.BlocksCallingThread)
            {
                // A synchronous API blocks its caller: one thread per caller, as a web server would
                // have one request thread per concurrent request, without starving the thread pool.
                var threads = Enumerable.Range(0, callers).Select(_ => new Thread(() => CallerAsync().GetAwaiter().GetResult())).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
            }
            else
            {
                await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(CallerAsync)));
            }
        }
        else
        {
            throw new ArgumentException($"Unknown schedule mode '{mode}'.");
        }

        clock.Stop();
        var cpuUsed = CpuTicks() - cpu;
        await stop.CancelAsync();
        await progress.ContinueWith(_ => { }, TaskScheduler.Default);
        var (p50, p99) = latencies is null ? (0L, 0L) : (PercentileTicks(latencies, 0.50), PercentileTicks(latencies, 0.99));
        Send(Invariant($"SCHEDULED {count} {clock.Elapsed.Ticks} {cpuUsed} {p50} {p99}"));
    }

    /// <summary>The <paramref name="quantile"/> of <paramref name="stopwatchTicks"/> (sorted in place), in TimeSpan ticks.</summary>
    private static long PercentileTicks(long[] stopwatchTicks, double quantile)
    {
        Array.Sort(stopwatchTicks);
        var index = Math.Min(stopwatchTicks.Length - 1, (int)Math.Ceiling(quantile * stopwatchTicks.Length) - 1);
        return Stopwatch.GetElapsedTime(0, stopwatchTicks[Math.Max(0, index)]).Ticks;
    }

    /// <summary>
    /// Reports handler starts every 100 ms; returns this process's CPU time, JIT and garbage collector
    /// counts when the last task started (to the 100 ms): a drain that still compiles measures the JIT
    /// as well as the system, and one that collects often measures what its allocations cost.
    /// </summary>
    private static async Task<WorkerSnapshot> ReportHandlerProgressAsync(CancellationToken stopping)
    {
        var last = -1;
        var atLastChange = WorkerSnapshot.Take();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                var count = HandlerRecorder.Count;
                if (count != last)
                {
                    last = count;
                    atLastChange = WorkerSnapshot.Take();
                    Send(Invariant($"PROGRESS {count} {atLastChange.CpuTicks}"));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped by the coordinator.
        }

        return atLastChange;
    }

    private static long CpuTicks() => WorkerSnapshot.CpuNow();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Send(string line)
    {
        lock (OutputGate)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}

/// <summary>Lines from stdin, read by a dedicated thread; null at the end of input.</summary>
internal sealed class CommandReader
{
    private readonly System.Threading.Channels.Channel<string?> lines = System.Threading.Channels.Channel.CreateUnbounded<string?>();

    public void Run()
    {
        string? line;
        do
        {
            line = Console.In.ReadLine();
            lines.Writer.TryWrite(line);
        }
        while (line is not null);
    }

    public ValueTask<string?> ReadAsync() => lines.Reader.ReadAsync();
}
