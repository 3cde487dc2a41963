using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RedisScheduler.Handling;
using RedisScheduler.Registry;

namespace RedisScheduler.HealthChecks;

/// <summary>
/// Liveness: every worker loop of this instance began a cycle within
/// <see cref="RedisSchedulerOptions.MaxIdleDelay"/> + <see cref="RedisSchedulerHealthCheckOptions.LivenessTimeout"/>,
/// or is waiting for a free slot. No Redis call: a Redis outage is readiness's business, and a loop
/// that fails to claim still cycles (it backs off for at most a few seconds).
/// </summary>
internal sealed class RedisSchedulerLivenessCheck(InstanceWorkers workers, IOptions<RedisSchedulerOptions> options, RedisSchedulerHealthCheckOptions health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(Evaluate(workers.Pulses, options.Value.MaxIdleDelay + health.LivenessTimeout, context.Registration.FailureStatus));

    internal static HealthCheckResult Evaluate(IReadOnlyList<WorkerPulse> pulses, TimeSpan allowed, HealthStatus failureStatus)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var pulse in pulses)
        {
            if (pulse.HasStopped)
            {
                problems.Add($"the worker of '{pulse.TaskType}' has stopped");
                continue;
            }

            if (!pulse.IsRunning)
            {
                continue;
            }

            var since = pulse.SinceLastCycle;
            data[pulse.TaskType + ".secondsSinceCycle"] = Math.Round(since.TotalSeconds, 3);
            data[pulse.TaskType + ".running"] = pulse.Running;
            if (since > allowed && !pulse.IsSaturated)
            {
                problems.Add($"the worker loop of '{pulse.TaskType}' has not cycled for {since.TotalSeconds:0.#} s (allowed {allowed.TotalSeconds:0.#} s) while it has free slots");
            }
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy($"{pulses.Count} worker loop(s) cycling", data)
            : new HealthCheckResult(failureStatus, string.Join("; ", problems), data: data);
    }
}
