using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace RedisScheduler.LoadTest.Systems;

/// <summary>
/// <c>--set telemetry=on</c>: the OpenTelemetry SDK collects RedisScheduler's traces (every span
/// sampled, batched as an OTLP exporter would be) and metrics (exported every second), and throws
/// them away, so the load test measures what collecting costs the library, not an exporter's I/O.
/// <c>telemetry=traces</c> or <c>telemetry=metrics</c> collects only the one, to tell their costs apart.
/// <c>telemetry=sampled</c> collects both but records one trace in ten, as a busy service would
/// configure it (<see cref="ParentBasedSampler"/> over <see cref="TraceIdRatioBasedSampler"/>: a
/// task scheduled under a trace follows its decision, one scheduled under none is a root decided by its trace id).
/// </summary>
internal sealed class AgentTelemetry : IDisposable
{
    private readonly TracerProvider tracing;
    private readonly MeterProvider metrics;

    private AgentTelemetry(string collect)
    {
        tracing = collect == "metrics" ? Sdk.CreateTracerProviderBuilder().Build() : Sdk.CreateTracerProviderBuilder()
            .AddSource(RedisSchedulerDiagnostics.ActivitySourceName)
            .SetSampler(collect == "sampled" ? new ParentBasedSampler(new TraceIdRatioBasedSampler(0.1)) : new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new Discard<Activity>()))
            .Build();
        metrics = collect == "traces" ? Sdk.CreateMeterProviderBuilder().Build() : Sdk.CreateMeterProviderBuilder()
            .AddMeter(RedisSchedulerDiagnostics.MeterName)
            .AddReader(new PeriodicExportingMetricReader(new Discard<Metric>(), exportIntervalMilliseconds: 1000))
            .Build();
    }

    public static AgentTelemetry? StartIfRequested(IReadOnlyDictionary<string, string> settings)
        => settings.TryGetValue("telemetry", out var value) && value is "on" or "traces" or "metrics" or "sampled" ? new AgentTelemetry(value) : null;

    public void Dispose()
    {
        tracing.Dispose();
        metrics.Dispose();
    }

    private sealed class Discard<T> : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }
}
