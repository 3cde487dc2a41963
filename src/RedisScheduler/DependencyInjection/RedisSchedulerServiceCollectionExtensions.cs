using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RedisScheduler;
using RedisScheduler.Continuations;
using RedisScheduler.Handling;
using RedisScheduler.Recurring;
using RedisScheduler.Registry;
using RedisScheduler.Scheduling;
using RedisScheduler.Storage;

// Microsoft's namespace for IServiceCollection extensions, as AddStackExchangeRedisCache and
// AddHealthChecks use: builder.Services.AddRedisScheduler() compiles without a using of ours.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers RedisScheduler in an <see cref="IServiceCollection"/>.</summary>
public static class RedisSchedulerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITaskScheduler"/> and the services task handlers need. Safe to call more
    /// than once: services are added once and every <paramref name="configure"/> applies.
    /// Options are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options, at least <see cref="RedisSchedulerOptions.Configuration"/>.</param>
    /// <returns>A builder to add task handlers with.</returns>
    public static RedisSchedulerBuilder AddRedisScheduler(this IServiceCollection services, Action<RedisSchedulerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddRedisScheduler();
        services.Configure(configure);
        return builder;
    }

    /// <summary>Registers the scheduler with options bound from a configuration section (for example <c>"RedisScheduler"</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="RedisSchedulerOptions"/> values.</param>
    /// <returns>A builder to add task handlers with.</returns>
    public static RedisSchedulerBuilder AddRedisScheduler(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddRedisScheduler();
        services.Configure<RedisSchedulerOptions>(configuration);
        return builder;
    }

    /// <summary>Registers the scheduler; options come from other <c>Configure&lt;RedisSchedulerOptions&gt;</c> calls.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to add task handlers with.</returns>
    public static RedisSchedulerBuilder AddRedisScheduler(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RedisSchedulerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisSchedulerOptions>, RedisSchedulerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<TaskTypeNames>();
        services.TryAddSingleton<PartitionRouter>();
        services.TryAddSingleton<PayloadSerializer>();
        services.TryAddSingleton<TaskWorkerFactory>();
        services.TryAddSingleton<InstanceWorkers>();
        services.TryAddSingleton<RegistryKeys>();
        services.TryAddSingleton<ContinuationRelay>();
        services.TryAddSingleton<ContinuationScheduler>();
        // Registered as itself too: the dashboard package schedules registered payload classes
        // through its internal non-generic path (RedisTaskScheduler.ScheduleRegisteredAsync).
        services.TryAddSingleton<RedisTaskScheduler>();
        services.TryAddSingleton<ITaskScheduler>(sp => sp.GetRequiredService<RedisTaskScheduler>());
        services.TryAddSingleton<IDeadLetterStore, RedisDeadLetterStore>();
        services.TryAddSingleton<ITaskMonitor, RedisTaskMonitor>();
        services.TryAddSingleton<IRecurringTaskManager, RedisRecurringTaskManager>();
        services.TryAddSingleton<ITaskTypeRegistry, RegisteredTaskTypes>();
        return new RedisSchedulerBuilder(services);
    }
}
