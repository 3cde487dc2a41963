using System.Globalization;
using ScottPlot;

namespace RedisScheduler.LoadTest.Reporting;

/// <summary>
/// The two pictures of a run: W3's lateness distribution (lateness.png) and the throughput bars
/// (throughput.png), drawn with ScottPlot. Both use logarithmic axes: the systems differ by orders of
/// magnitude, and a linear axis would show one of them as a flat line.
/// </summary>
internal static class Charts
{
    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    public static void Write(RunResult run, string directory)
    {
        Lateness(run).SavePng(Path.Combine(directory, "lateness.png"), 1000, 560);
        Throughput(run).SavePng(Path.Combine(directory, "throughput.png"), 1000, 600);
    }

    /// <summary>
    /// Cumulative distribution of lateness per system. The x axis is "symmetric log": sign(x)·log10(1 + |x|)
    /// of milliseconds, so early starts (left of 0) and lateness from 0.1 ms to seconds fit one picture.
    /// </summary>
    private static Plot Lateness(RunResult run)
    {
        var plot = new Plot();
        var index = 0;
        var extent = 1.0;
        foreach (var system in run.Systems)
        {
            var color = Palette.GetColor(index++);
            if (system.Lateness?.Samples is not { } samples)
            {
                continue;
            }

            var sorted = samples.Where(s => !double.IsNaN(s)).Order().ToArray();
            if (sorted.Length == 0)
            {
                continue;
            }

            var xs = new double[sorted.Length];
            var ys = new double[sorted.Length];
            for (var i = 0; i < sorted.Length; i++)
            {
                xs[i] = SymLog(sorted[i]);
                ys[i] = 100.0 * (i + 1) / samples.Length;
                extent = Math.Max(extent, Math.Abs(xs[i]));
            }

            var line = plot.Add.ScatterLine(xs, ys, color);
            line.LineWidth = 2;
            var l = system.Lateness;
            line.LegendText = Invariant($"{system.Title}: p50 {l.P50Ms:0.#} ms, p99 {l.P99Ms:0.#} ms, early {l.Early}");
        }

        var due = plot.Add.VerticalLine(0, 1, Colors.Black, LinePattern.Dashed);
        due.LegendText = "due instant";
        var ticks = new List<(double Position, string Label)>();
        foreach (var ms in new[] { -10_000, -1_000, -100, -10, -1, 0, 1, 10, 100, 1_000, 10_000, 100_000 })
        {
            if (Math.Abs(SymLog(ms)) <= extent + 0.5)
            {
                ticks.Add((SymLog(ms), ms switch
                {
                    0 => "0",
                    _ when Math.Abs(ms) >= 1000 => Invariant($"{ms / 1000} s"),
                    _ => Invariant($"{ms} ms"),
                }));
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks.Select(t => t.Position)], [.. ticks.Select(t => t.Label)]);
        plot.Axes.SetLimitsY(0, 101);
        plot.Title(Invariant($"W3: handler start minus due instant, {run.Options.LatenessTasks:N0} tasks over {run.Options.LatenessWindowSeconds:G} s"));
        plot.XLabel("lateness (log scale both ways; left of 0 = started early)");
        plot.YLabel("tasks started (%)");
        plot.Legend.Alignment = Alignment.LowerRight;
        plot.ShowLegend();
        return plot;
    }

    /// <summary>Grouped bars of tasks per second (log scale): W1's modes and W2, per system, with the redis-benchmark ceilings.</summary>
    private static Plot Throughput(RunResult run)
    {
        var plot = new Plot();
        var groups = new List<(string Label, Func<SystemResult, double?> Value, double? Ceiling)>
        {
            // Ceilings: redis-benchmark's EVALSHA of a minimal HSET + ZADD script, one task per call:
            // one connection without pipelining for the awaited loop, 50 pipelined connections for bulk.
            ("W1 sequential", s => ScheduleRate(s, "seq"), Ceiling(run, "EVALSHA", 1)),
            ("W1 batch API", s => ScheduleRate(s, "batch"), Ceiling(run, "EVALSHA", 50)),
            (Invariant($"W1 {run.Options.Clients} callers"), s => ScheduleRate(s, "concurrent"), null),
            ("W2 drain", s => s.Drain?.TasksPerSecond, null),
            ("W2 warmed-up worker", s => s.DrainWarm?.TasksPerSecond, null),
        };
        var systems = run.Systems.Where(s => s.ScheduleMeasuredWith is null || s.Drain is not null).ToList();
        if (run.ClientCeiling.Count > 0)
        {
            // StackExchange.Redis alone: grey bars in the W1 groups, the client-side ceiling.
            var bare = new SystemResult { Name = "bare-client", Title = "StackExchange.Redis alone (W1 ceiling)", ClientFamily = "bare-client" };
            bare.Schedule.AddRange(run.ClientCeiling);
            systems.Add(bare);
        }

        var bars = new List<Bar>();
        var colors = run.Systems.Select((s, i) => (s, Palette.GetColor(i))).ToDictionary(p => p.s.Name, p => p.Item2);
        colors["bare-client"] = Colors.Gray;
        var max = 1.0;
        var labels = new List<string>();
        var ceilings = new List<string>();
        for (var g = 0; g < groups.Count; g++)
        {
            // W1 is measured once per client: Hangfire's other settings have no W1 bars of their own.
            var present = systems
                .Where(system => !(g < 3 && system.ScheduleMeasuredWith is not null))
                .Select(system => (System: system, Value: groups[g].Value(system)))
                .Where(p => p.Value is > 0)
                .ToList();
            var width = 0.8 / Math.Max(present.Count, 3);
            for (var i = 0; i < present.Count; i++)
            {
                var value = present[i].Value!.Value;
                max = Math.Max(max, value);
                bars.Add(new Bar
                {
                    Position = g + ((i - ((present.Count - 1) / 2.0)) * width),
                    Value = Math.Log10(value),
                    FillColor = colors[present[i].System.Name],
                    Size = width * 0.9,
                    Label = Compact(value),
                });
            }

            var label = groups[g].Label;
            if (groups[g].Ceiling is { } ceiling)
            {
                max = Math.Max(max, ceiling);
                var line = plot.Add.Line(g - 0.45, Math.Log10(ceiling), g + 0.45, Math.Log10(ceiling));
                line.LineColor = Colors.Black;
                line.LinePattern = LinePattern.Dashed;
                line.LineWidth = 1.5f;
                ceilings.Add(Invariant($"{Compact(ceiling)}/s {(g == 0 ? "with one connection" : "pipelined")}"));
            }

            labels.Add(label);
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;
        foreach (var system in systems)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = system.ScheduleMeasuredWith is null && system.ClientFamily == "hangfire" ? system.Title + " (W1: all settings)" : system.Title, FillColor = colors[system.Name] });
        }

        var decades = Enumerable.Range(0, (int)Math.Ceiling(Math.Log10(max)) + 2).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. decades.Select(d => (double)d)], [.. decades.Select(d => Compact(Math.Pow(10, d)))]);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. groups.Select((_, g) => (double)g)], [.. labels]);
        plot.Axes.SetLimits(-0.6, groups.Count - 0.4, 0, Math.Ceiling(Math.Log10(max)) + 0.6);
        plot.Title(Invariant($"Tasks per second (log scale), N = {run.Options.Tasks:N0}"));
        plot.YLabel("tasks/s");
        plot.XLabel(ceilings.Count == 0 ? string.Empty : "dashed lines: redis-benchmark, EVALSHA of HSET + ZADD, one task per call: " + string.Join(", ", ceilings));
        plot.Axes.Bottom.Label.FontSize = 13;
        plot.Axes.Bottom.Label.Bold = false;
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    private static double? ScheduleRate(SystemResult system, string mode)
        => system.Schedule.FirstOrDefault(r => r.Mode.StartsWith(mode, StringComparison.Ordinal))?.TasksPerSecond;

    private static double? Ceiling(RunResult run, string test, int connections)
        => run.Ceiling.FirstOrDefault(c => c.Test.StartsWith(test, StringComparison.Ordinal) && c.Connections == connections)?.RequestsPerSecond;

    private static double SymLog(double ms) => Math.Sign(ms) * Math.Log10(1 + Math.Abs(ms));

    private static string Compact(double value) => value switch
    {
        >= 1e6 => Invariant($"{value / 1e6:0.#}M"),
        >= 1e3 => Invariant($"{value / 1e3:0.#}k"),
        _ => Invariant($"{value:0}"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
