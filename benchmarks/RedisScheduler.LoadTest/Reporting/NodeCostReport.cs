using System.Globalization;
using System.Text;

namespace RedisScheduler.LoadTest.Reporting;

/// <summary>
/// On a cluster (<c>--redis cluster</c>), each node's Redis CPU and commands per task for every
/// measured phase: where the load went, masters and replicas, which the summed figures cannot show.
/// </summary>
internal static class NodeCostReport
{
    public static void Write(StringBuilder md, RunResult run)
    {
        var rows = run.Systems.SelectMany(s => s.MeasuredPhases().Select(p => (System: s, p.Phase, p.Cost, p.Tasks))).Where(r => r.Cost.ByNode is not null).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("## Redis per node (cluster)");
        md.AppendLine();
        var ports = rows.SelectMany(r => r.Cost.ByNode!.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        // --redis cluster-masters starts the three masters alone.
        var replicas = ports.Count > 3 ? " and nodes 4-6 their replicas" : " (no replicas)";
        md.AppendLine(Invariant($"Each node's own INFO over the phase: CPU (user + system) per task, and commands per task in parentheses. A replica's work is applying its master's replication stream. Nodes 1-3 are the masters of slots 0-5460, 5461-10922 and 10923-16383{replicas} (the order given to `redis-cli --cluster create`, the same in every fresh cluster of the run); the role is the node's at the end of the first phase shown."));
        md.AppendLine();
        md.AppendLine("| System | Phase | " + string.Join(" | ", ports.Select(p => $"{p} ({rows[0].Cost.ByNode!.GetValueOrDefault(p)?.Role ?? "?"})")) + " | All nodes |");
        md.AppendLine("| --- | --- | " + string.Join(" | ", ports.Select(_ => "---:")) + " | ---: |");
        foreach (var (system, phase, cost, tasks) in rows)
        {
            var cells = ports.Select(p => cost.ByNode!.TryGetValue(p, out var n)
                ? Invariant($"{n.CpuSeconds * 1e6 / tasks:F1} µs ({(double)n.Commands / tasks:F1})")
                : "–");
            md.AppendLine(Invariant($"| {system.Title} | {phase} | {string.Join(" | ", cells)} | {cost.ServerCpuSeconds * 1e6 / tasks:F1} µs |"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
