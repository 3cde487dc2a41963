using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RedisScheduler;
using RedisScheduler.Handling;
using RedisScheduler.Recurring;
using RedisScheduler.Registry;
using RedisScheduler.Storage;

// In Microsoft's namespace, as IHttpClientBuilder and IHealthChecksBuilder are: code that extends the
// builder (services.AddRedisScheduler().AddInvoicing()) needs no using of ours beyond RedisScheduler.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Returned by <c>AddRedisScheduler()</c> to register task handlers and task type names.</summary>
public sealed class RedisSchedulerBuilder
{
    internal RedisSchedulerBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the scheduler is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> as a hosted service that handles its payload type.
    /// Registering the same handler twice registers it once; the options of both calls apply.
    /// </summary>
    /// <typeparam name="THandler">A subclass of <see cref="TaskHandler{T}"/>.</typeparam>
    /// <param name="configure">Sets the handler's options, such as its concurrency.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="THandler"/> does not derive from <see cref="TaskHandler{T}"/>.</exception>
    public RedisSchedulerBuilder AddTaskHandler<THandler>(Action<TaskHandlerOptions>? configure = null)
        where THandler : class, IHostedService
    {
        if (!typeof(ITaskHandlerBinding).IsAssignableFrom(typeof(THandler)))
        {
            throw new ArgumentException(
                $"{typeof(THandler).Name} is not a task handler: derive it from TaskHandler<TPayload> and override HandleAsync.",
                nameof(THandler));
        }

        var name = OptionsNameOf(typeof(THandler));
        var optionsBuilder = Services.AddOptions<TaskHandlerOptions>(name);
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        if (!Services.Any(d => d.ServiceType == typeof(HandlerRegistration) && d.ImplementationInstance is HandlerRegistration r && r.HandlerType == typeof(THandler)))
        {
            Services.AddSingleton(new HandlerRegistration(typeof(THandler)));
            optionsBuilder.Validate(o => o.Concurrency is >= 1 and <= 1024, $"TaskHandlerOptions.Concurrency of {typeof(THandler).Name} must be from 1 to 1024: it is how many tasks the handler runs at once in one process.")
                .Validate(o => o.GlobalConcurrencyLimit is null or >= 1, $"TaskHandlerOptions.GlobalConcurrencyLimit of {typeof(THandler).Name} must be at least 1, or null for no limit.")
                .Validate(o => o.RateLimitPerSecond is null or >= 1, $"TaskHandlerOptions.RateLimitPerSecond of {typeof(THandler).Name} must be at least 1, or null for no limit.")
                .Validate<IOptions<RedisSchedulerOptions>>(
                    (o, scheduler) => LimitsCoverPartitions(o, scheduler.Value.TaskTypePartitions.GetValueOrDefault(RegisteredTaskTypes.PayloadTypeOf(typeof(THandler))!, 1)),
                    $"TaskHandlerOptions.GlobalConcurrencyLimit and RateLimitPerSecond of {typeof(THandler).Name} must each be at least the partition count its task type was given with PartitionTaskType: " +
                    "each partition enforces its share of a limit, and a share cannot be below 1. Raise the limit, or give the type fewer partitions.")
                .Validate(o => o.Retry?.Validate("").Any() != true, $"TaskHandlerOptions.Retry of {typeof(THandler).Name} is invalid: MaxAttempts 1 to 1000, 0 <= InitialDelay <= MaxDelay <= 7 days, BackoffMultiplier 1 to 100, JitterFactor 0 to 1.")
                .ValidateOnStart();
            // Before the first handler: hosted services stop in reverse order, so the instance
            // deregisters only after its handlers have drained.
            Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WorkerRegistry>());
            Services.AddSingleton<IHostedService>(sp =>
            {
                var handler = ActivatorUtilities.CreateInstance<THandler>(sp);
                ((ITaskHandlerBinding)handler).Bind(sp, name);
                return handler;
            });
        }

        return this;
    }

    /// <summary>
    /// Names the task type of <typeparamref name="TPayload"/> in Redis, overriding <see cref="TaskTypeAttribute"/>
    /// and the class name. Schedulers and handlers of one type must agree on its name.
    /// </summary>
    /// <typeparam name="TPayload">The payload type.</typeparam>
    /// <param name="taskType">Letters, digits, <c>.</c>, <c>-</c> or <c>_</c>; at most 100 characters.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="taskType"/> is not a valid name.</exception>
    public RedisSchedulerBuilder MapTaskType<TPayload>(string taskType)
    {
        TaskTypeNames.ThrowIfInvalidName(taskType, nameof(taskType));
        Services.Configure<RedisSchedulerOptions>(o => o.TaskTypeNames[typeof(TPayload)] = taskType);
        return this;
    }

    private static bool LimitsCoverPartitions(TaskHandlerOptions handler, int partitions)
        => (handler.GlobalConcurrencyLimit ?? partitions) >= partitions && (handler.RateLimitPerSecond ?? partitions) >= partitions;

    /// <summary>
    /// Spreads the task type of <typeparamref name="TPayload"/> over <paramref name="partitions"/>
    /// hash tags, so one busy type can use several masters of a Redis Cluster: each task goes to one
    /// partition (a task key of <c>ScheduleTaskOnceAsync</c> always to the same one), and workers claim
    /// from every partition in turn. Order holds within a partition only. Set the same count in every
    /// application that schedules or handles the type; see docs/scaling.md for limits, recurring
    /// schedules and changing the count.
    /// </summary>
    /// <typeparam name="TPayload">The payload type.</typeparam>
    /// <param name="partitions">From 1 (not partitioned, the default) to 64.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitions"/> is below 1 or above 64.</exception>
    public RedisSchedulerBuilder PartitionTaskType<TPayload>(int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, TaskPartitions.Max);
        Services.Configure<RedisSchedulerOptions>(o => o.TaskTypePartitions[typeof(TPayload)] = partitions);
        return this;
    }

    /// <summary>
    /// Registers a recurring schedule driven by a cron expression, written to Redis when the host
    /// starts (every instance may register the same schedule: an unchanged one keeps its next
    /// occurrence). Each occurrence becomes one task of <typeparamref name="TPayload"/>'s type, run
    /// exactly once by whichever instance handles that type.
    /// </summary>
    /// <typeparam name="TPayload">The payload type of the occurrences.</typeparam>
    /// <param name="name">1 to 100 characters without <c>|</c> or control characters; unique per task type.</param>
    /// <param name="cronExpression">Five fields, or six with seconds first, such as <c>"0 0 3 * * *"</c> for 03:00:00 daily.</param>
    /// <param name="payload">The payload of every occurrence.</param>
    /// <param name="configure">Time zone and misfire policy.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The cron expression is invalid.</exception>
    public RedisSchedulerBuilder AddRecurringTask<TPayload>(string name, string cronExpression, TPayload payload, Action<RecurringTaskOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(cronExpression);
        RecurringDefinition.ParseCron(cronExpression);
        var options = new RecurringTaskOptions();
        configure?.Invoke(options);
        RedisRecurringTaskManager.Validate(name, null, options);
        return AddRecurring((manager, ct) => manager.AddOrUpdateAsync(name, cronExpression, payload, options, ct));
    }

    /// <summary>Registers a recurring schedule that fires every <paramref name="interval"/>; see the cron overload.</summary>
    /// <typeparam name="TPayload">The payload type of the occurrences.</typeparam>
    /// <param name="name">1 to 100 characters without <c>|</c> or control characters; unique per task type.</param>
    /// <param name="interval">From 1 second to 366 days.</param>
    /// <param name="payload">The payload of every occurrence.</param>
    /// <param name="configure">The misfire policy.</param>
    /// <returns>This builder.</returns>
    public RedisSchedulerBuilder AddRecurringTask<TPayload>(string name, TimeSpan interval, TPayload payload, Action<RecurringTaskOptions>? configure = null)
    {
        var options = new RecurringTaskOptions();
        configure?.Invoke(options);
        RedisRecurringTaskManager.Validate(name, interval, options);
        return AddRecurring((manager, ct) => manager.AddOrUpdateAsync(name, interval, payload, options, ct));
    }

    private RedisSchedulerBuilder AddRecurring(Func<IRecurringTaskManager, CancellationToken, Task<bool>> define)
    {
        Services.AddSingleton(new RecurringTaskRegistration(define));
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RecurringTaskRegistrar>());
        return this;
    }

    internal static string OptionsNameOf(Type handlerType) => handlerType.FullName ?? handlerType.Name;

    /// <summary>One handler class registered with <see cref="AddTaskHandler"/>; <see cref="RegisteredTaskTypes"/> reads their payload types.</summary>
    internal sealed record HandlerRegistration(Type HandlerType);
}
