using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisScheduler;
using RedisScheduler.HealthChecks;

// Microsoft's namespace, as AddHealthChecks() and the other IHealthChecksBuilder extensions use.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds RedisScheduler's health checks to an <see cref="IHealthChecksBuilder"/>.</summary>
public static class RedisSchedulerHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a readiness check (tagged <c>ready</c>: Redis answers and has the scripts; Degraded past
    /// the optional lateness and dead-letter thresholds) and a liveness check (tagged <c>live</c>:
    /// every worker loop of this instance is cycling). Needs <c>services.AddRedisScheduler()</c>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>services.AddHealthChecks()</c>.</param>
    /// <param name="configure">Names, tags, failure status, timeouts and thresholds.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static IHealthChecksBuilder AddRedisScheduler(this IHealthChecksBuilder builder, Action<RedisSchedulerHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new RedisSchedulerHealthCheckOptions();
        configure?.Invoke(options);
        Validate(options);
        builder.Add(new HealthCheckRegistration(
            options.ReadinessName,
            sp => ActivatorUtilities.CreateInstance<RedisSchedulerReadinessCheck>(sp, options),
            options.FailureStatus,
            options.ReadinessTags));
        builder.Add(new HealthCheckRegistration(
            options.LivenessName,
            sp => ActivatorUtilities.CreateInstance<RedisSchedulerLivenessCheck>(sp, options),
            options.FailureStatus,
            options.LivenessTags));
        return builder;
    }

    private static void Validate(RedisSchedulerHealthCheckOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ReadinessName) || string.IsNullOrWhiteSpace(options.LivenessName) || options.ReadinessName == options.LivenessName)
        {
            throw new ArgumentException("RedisSchedulerHealthCheckOptions.ReadinessName and LivenessName must be two different non-empty names.", nameof(options));
        }

        if (options.RedisTimeout <= TimeSpan.Zero || options.RedisTimeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException($"RedisSchedulerHealthCheckOptions.RedisTimeout is {options.RedisTimeout}: set it from above zero to 5 minutes (default 5 seconds).", nameof(options));
        }

        if (options.LivenessTimeout <= TimeSpan.Zero || options.LivenessTimeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"RedisSchedulerHealthCheckOptions.LivenessTimeout is {options.LivenessTimeout}: set it from above zero to 1 hour (default 30 seconds).", nameof(options));
        }

        if (options.MaxLateness < TimeSpan.Zero || options.MaxDeadLetters < 0)
        {
            throw new ArgumentException("RedisSchedulerHealthCheckOptions.MaxLateness and MaxDeadLetters must not be negative; use null for no threshold.", nameof(options));
        }

        foreach (var taskType in options.TaskTypes)
        {
            RedisScheduler.Storage.TaskTypeNames.ThrowIfInvalidName(taskType, nameof(options));
        }
    }
}
