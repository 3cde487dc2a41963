using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedisScheduler.LoadTest.Agent;

namespace RedisScheduler.LoadTest.Systems;

/// <summary>
/// RedisScheduler as the load test's agent: <see cref="ITaskScheduler"/> for the client, and a host
/// with <see cref="LoadOrderHandler"/> (concurrency from the command line) for the worker. Every
/// option is the library's default; only the connection string and the handler's concurrency are set,
/// unless an experiment passes <c>--set max-idle-ms=N</c> (MaxIdleDelay) to the agent. A worker given
/// <c>--set warm-up-tasks=N</c> drains N tasks before it says it is ready (W2 with a warmed-up worker).
/// <c>--set telemetry=on</c> collects the library's traces and metrics with the OpenTelemetry SDK
/// (<see cref="AgentTelemetry"/>). For the socket-manager risk experiment, <c>--set block-pool=N</c>
/// keeps N thread-pool threads blocked (<see cref="PoolBlocker"/>), and <c>--set socket-manager=shared</c>
/// connects with StackExchange.Redis's dedicated socket threads instead of the library's setting.
/// </summary>
internal sealed class RedisSchedulerAgent : ISystemAgent
{
    private IHost? host;
    private ITaskScheduler? scheduler;
    private AgentTelemetry? telemetry;
    private PoolBlocker? poolBlocker;

    public string Description { get; } =
        $"RedisScheduler {VersionOf(typeof(ITaskScheduler))}; StackExchange.Redis {VersionOf(typeof(StackExchange.Redis.ConnectionMultiplexer))}";

    public bool BlocksCallingThread => false;

    public bool SupportsBatch => true;

    public async Task PrepareAsync(AgentArguments arguments)
    {
        telemetry = AgentTelemetry.StartIfRequested(arguments.Settings);
        poolBlocker = PoolBlocker.StartIfRequested(arguments.Settings);
        if (arguments.IsWorker && arguments.IntSetting("warm-up-tasks") is { } warmUpTasks)
        {
            await WarmUpAsync(arguments, warmUpTasks);
        }

        host = BuildHost(arguments);
        scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        // Connects, and loads and JIT-compiles a script call, before anything is measured.
        await scheduler.GetTaskAsync("order/warm-up");
    }

    /// <summary>
    /// Drains <paramref name="count"/> tasks with a host of its own, then disposes it: the measured host
    /// then runs code that is compiled and tiered up, as in a process that has been running for a while.
    /// </summary>
    private static async Task WarmUpAsync(AgentArguments arguments, int count)
    {
        using var warmUp = BuildHost(arguments);
        var dueAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        await warmUp.Services.GetRequiredService<ITaskScheduler>().ScheduleTasksAsync(Enumerable.Range(0, count).Select(i => (dueAt, LoadOrder.For(TaskNumbers.WarmUp + i))));
        await warmUp.StartAsync();
        while (HandlerRecorder.Count < count)
        {
            await Task.Delay(20);
        }

        await warmUp.StopAsync();
        HandlerRecorder.Initialize(arguments.Capacity);
    }

    private static IHost BuildHost(AgentArguments arguments)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        var scheduling = builder.Services
            .AddRedisScheduler(o =>
            {
                o.Configuration = arguments.Redis;
                if (arguments.Settings.GetValueOrDefault("socket-manager") == "shared")
                {
                    o.ConnectionMultiplexerFactory = async () =>
                    {
                        var configuration = Storage.RedisClientConfiguration.Create(arguments.Redis);
                        configuration.SocketManager = StackExchange.Redis.SocketManager.Shared;
                        return await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(configuration);
                    };
                }

                if (arguments.IntSetting("max-idle-ms") is { } maxIdle)
                {
                    o.MaxIdleDelay = TimeSpan.FromMilliseconds(maxIdle);
                }
            })
            .MapTaskType<LoadOrder>("order");
        if (arguments.IsWorker)
        {
            scheduling.AddTaskHandler<LoadOrderHandler>(o => o.Concurrency = arguments.Concurrency);
        }

        return builder.Build();
    }

    public async ValueTask ScheduleAsync(LoadOrder order, DateTimeOffset dueAt)
        => await scheduler!.ScheduleTaskAsync(dueAt, order);

    /// <summary>The synchronous API the issue names: <c>ScheduleTask(timestamp, payload)</c>, a Unix time in whole seconds.</summary>
    public void Schedule(LoadOrder order, DateTimeOffset dueAt)
        => scheduler!.ScheduleTask(dueAt.ToUnixTimeSeconds(), order);

    public Task ScheduleBatchAsync(IReadOnlyList<(DateTimeOffset DueAt, LoadOrder Order)> tasks)
        => scheduler!.ScheduleTasksAsync(tasks);

    public Task StartWorkerAsync() => host!.StartAsync();

    public async Task StopWorkerAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await host!.StopAsync(cancel.Token);
    }

    public ValueTask DisposeAsync()
    {
        host?.Dispose();
        telemetry?.Dispose();
        poolBlocker?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string VersionOf(Type type)
        => type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? type.Assembly.GetName().Version?.ToString() ?? "?";
}

/// <summary>The no-op handler: records that the task started, and returns.</summary>
internal sealed class LoadOrderHandler : TaskHandler<LoadOrder>
{
    protected override Task HandleAsync(LoadOrder payload, TaskContext context, CancellationToken cancellationToken)
    {
        HandlerRecorder.Record(payload.OrderId);
        return Task.CompletedTask;
    }
}
