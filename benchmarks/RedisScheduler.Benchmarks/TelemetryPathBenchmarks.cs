using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using RedisScheduler.Diagnostics;
using RedisScheduler.LoadTest.Systems;
using RedisScheduler.Storage;

namespace RedisScheduler.Benchmarks;

/// <summary>
/// What the library's telemetry adds to one run of a handler, without Redis: the <c>process</c> span
/// continued from the trace context stored in the task record, the lateness and duration
/// measurements, and the traceparent a retry would store, as <c>TaskRunner</c> does them. With
/// <see cref="Collecting"/> the OpenTelemetry SDK listens as the load test's <c>telemetry=on</c> does
/// (<c>LoadTest/Systems/AgentTelemetry.cs</c>, linked), so
/// the difference between the two rows is the per-task cost of being observed, on one thread.
/// </summary>
[MemoryDiagnoser]
public class TelemetryPathBenchmarks
{
    private const string TaskType = "orders";

    private readonly string spanName = SchedulerActivities.ProcessSpanName(TaskType);
    private AgentTelemetry? collecting;
    private TaskRecord record;

    /// <summary>Whether the OpenTelemetry SDK collects the library's traces and metrics.</summary>
    [Params(false, true)]
    public bool Collecting { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        collecting = Collecting ? AgentTelemetry.StartIfRequested(new Dictionary<string, string> { ["telemetry"] = "on" }) : null;

        // A task scheduled under a span, as a web request would schedule it: its record carries a traceparent.
        using var scheduling = new Activity("send " + TaskType).SetIdFormat(ActivityIdFormat.W3C).Start();
        var stored = Encoding.ASCII.GetBytes(StoredTraceContext.Capture(scheduling)!);
        record = new TaskRecord(1, 1_700_000_000_000, 1_700_000_000_000, new byte[64]) { TraceContext = stored };
    }

    [GlobalCleanup]
    public void GlobalCleanup() => collecting?.Dispose();

    /// <summary>The telemetry around one successful run (a success stores no link, so no traceparent is formatted).</summary>
    [Benchmark]
    public bool OneRun()
    {
        Activity.Current = null;
        const double lateness = 0.0012;
        using var activity = SchedulerActivities.Source.HasListeners()
            ? SchedulerActivities.StartProcess(spanName, TaskType, "orders/1234567", record, newTrace: false, lateness)
            : null;
        return Measurements() && activity is not null;
    }

    /// <summary>The floor under <see cref="OneRun"/>'s span: one sampled span with no attributes, no parent, no measurement.</summary>
    [Benchmark]
    public bool EmptySpan()
    {
        Activity.Current = null;
        using var activity = SchedulerActivities.Source.StartActivity(ActivityKind.Consumer, default(ActivityContext), tags: null, links: null, name: spanName);
        return activity is not null;
    }

    /// <summary>The two histogram records of a run: lateness and duration.</summary>
    [Benchmark]
    public bool Measurements()
    {
        if (SchedulerMetrics.Lateness.Enabled)
        {
            SchedulerMetrics.Lateness.Record(0.0012, SchedulerMetrics.Tags(TaskType, RedisSchedulerDiagnostics.ProcessOperation));
        }

        if (SchedulerMetrics.ProcessDuration.Enabled)
        {
            SchedulerMetrics.ProcessDuration.Record(0.0001, SchedulerMetrics.Tags(TaskType, RedisSchedulerDiagnostics.ProcessOperation));
        }

        return Collecting;
    }
}
