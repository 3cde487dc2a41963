using System.Globalization;
using System.Reflection;
using System.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedisScheduler.LoadTest.Agent;

namespace RedisScheduler.LoadTest.Systems;

/// <summary>
/// RedisScheduler as the load test's agent: <see cref="ITaskScheduler"/> for the client, and a host
/// with <see cref="LoadOrderHandler{TPayload}"/> (concurrency from the command line) for the worker. Every
/// option is the library's default; only the connection string and the handler's concurrency are set,
/// unless an experiment passes <c>--set max-idle-ms=N</c> (MaxIdleDelay) to the agent. A worker given
/// <c>--set warm-up-tasks=N</c> drains N tasks before it says it is ready (W2 with a warmed-up worker).
/// <c>--set telemetry=on</c> (or <c>traces</c>, <c>metrics</c>, <c>sampled</c>) collects the library's traces and metrics with the OpenTelemetry SDK
/// (<see cref="AgentTelemetry"/>). For the socket-manager risk experiment, <c>--set block-pool=N</c>
/// keeps N thread-pool threads blocked (<see cref="PoolBlocker"/>), and <c>--set socket-manager=shared</c>
/// connects with StackExchange.Redis's dedicated socket threads instead of the library's setting.
/// <c>--set types=N</c> and <c>--set partitions=N</c> spread the tasks over N task types, each of N
/// partitions (<see cref="LoadTaskTypes"/>); every type's handler has the given concurrency.
/// </summary>
internal sealed class RedisSchedulerAgent : ISystemAgent
{
    private IHost? host;
    private ITaskScheduler? scheduler;
    private AgentTelemetry? telemetry;
    private PoolBlocker? poolBlocker;
    private ILoadTypeRoute[] routes = LoadTypeRoute<LoadOrder>.For(1);

    public string Description { get; private set; } =
        $"RedisScheduler {VersionOf(typeof(ITaskScheduler))}; StackExchange.Redis {VersionOf(typeof(StackExchange.Redis.ConnectionMultiplexer))}";

    public bool BlocksCallingThread => false;

    public bool SupportsBatch => true;

    public async Task PrepareAsync(AgentArguments arguments)
    {
        telemetry = AgentTelemetry.StartIfRequested(arguments.Settings);
        poolBlocker = PoolBlocker.StartIfRequested(arguments.Settings);
        routes = LoadTypeRoute<LoadOrder>.For(LoadTaskTypes.Types(arguments.Settings));
        if (arguments.IsWorker && arguments.IntSetting("warm-up-tasks") is { } warmUpTasks)
        {
            await WarmUpAsync(arguments, warmUpTasks);
        }

        host = BuildHost(arguments, routes);
        scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        // Connects, and loads and JIT-compiles a script call, before anything is measured.
        await scheduler.GetTaskAsync(LoadTaskTypes.Names[0] + "/warm-up");
    }

    /// <summary>
    /// Drains <paramref name="count"/> tasks with a host of its own, then disposes it, in rounds until a
    /// round compiles next to nothing: the measured host then runs code that is compiled and tiered
    /// up, as in a process that has been running for a while.
    /// </summary>
    /// <remarks>
    /// One round was not enough. Tiered compilation moves a method up only after enough calls at
    /// each tier (with PGO, tier 0, then instrumented, then optimized), so after one drain many
    /// methods were still on their way up: a perf profile of a "warmed-up" drain with the
    /// OpenTelemetry SDK collecting had the tiering thread in 15 % of the worker's samples (5 %
    /// without the SDK). The methods each round compiled are in the agent's description (the report
    /// shows it when this worker's run is the system's first).
    /// </remarks>
    private async Task WarmUpAsync(AgentArguments arguments, int count)
    {
        const int MaxRounds = 5;
        var compiledPerRound = new List<long>();
        for (var round = 0; round < MaxRounds; round++)
        {
            var before = JitInfo.GetCompiledMethodCount();
            await DrainOnceAsync(arguments, count);
            await UntilTheJitIsQuietAsync();
            compiledPerRound.Add(JitInfo.GetCompiledMethodCount() - before);
            // Settled: a round compiled under 2 % of what the first one did.
            if (compiledPerRound[^1] * 50 < compiledPerRound[0])
            {
                break;
            }
        }

        Description += Invariant($"; warmed up by {compiledPerRound.Count} drains of {count:N0} tasks, which JIT-compiled {string.Join(", ", compiledPerRound.Select(c => c.ToString("N0", CultureInfo.InvariantCulture)))} methods");
    }

    /// <remarks>The recorder is empty on entry (AgentMain starts it so, and each round empties it at its end) and left empty.</remarks>
    private async Task DrainOnceAsync(AgentArguments arguments, int count)
    {
        using var warmUp = BuildHost(arguments, routes);
        var dueAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        await ScheduleBatchAsync(warmUp.Services.GetRequiredService<ITaskScheduler>(), [.. Enumerable.Range(0, count).Select(i => (dueAt, LoadOrder.For(TaskNumbers.WarmUp + i)))]);
        await warmUp.StartAsync();
        while (HandlerRecorder.Count < count)
        {
            await Task.Delay(20);
        }

        await warmUp.StopAsync();
        HandlerRecorder.Initialize(arguments.Capacity);
    }

    /// <summary>Waits (at most 10 s) until the JIT has compiled nothing for 300 ms: the methods the last drain made hot are tiered up.</summary>
    private static async Task UntilTheJitIsQuietAsync()
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var last = JitInfo.GetCompiledMethodCount();
        while (waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(300);
            var now = JitInfo.GetCompiledMethodCount();
            if (now == last)
            {
                return;
            }

            last = now;
        }
    }

    private static IHost BuildHost(AgentArguments arguments, ILoadTypeRoute[] routes)
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
            });
        var partitions = LoadTaskTypes.Partitions(arguments.Settings);
        for (var i = 0; i < routes.Length; i++)
        {
            routes[i].Register(scheduling, LoadTaskTypes.Names[i], partitions, arguments.IsWorker ? arguments.Concurrency : null);
        }

        return builder.Build();
    }

    public async ValueTask ScheduleAsync(LoadOrder order, DateTimeOffset dueAt)
        => await RouteOf(order).ScheduleAsync(scheduler!, order, dueAt);

    /// <summary>The synchronous API the issue names: <c>ScheduleTask(timestamp, payload)</c>, a Unix time in whole seconds.</summary>
    public void Schedule(LoadOrder order, DateTimeOffset dueAt)
        => RouteOf(order).Schedule(scheduler!, order, dueAt.ToUnixTimeSeconds());

    public Task ScheduleBatchAsync(IReadOnlyList<(DateTimeOffset DueAt, LoadOrder Order)> tasks)
        => ScheduleBatchAsync(scheduler!, tasks);

    /// <summary>One batch call per type, the types' calls concurrently.</summary>
    private Task ScheduleBatchAsync(ITaskScheduler to, IReadOnlyList<(DateTimeOffset DueAt, LoadOrder Order)> tasks)
        => routes.Length == 1
            ? routes[0].ScheduleBatchAsync(to, tasks)
            : Task.WhenAll(tasks.GroupBy(t => RouteOf(t.Order)).Select(g => g.Key.ScheduleBatchAsync(to, g)));

    private ILoadTypeRoute RouteOf(LoadOrder order) => routes[order.OrderId % routes.Length];

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

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string VersionOf(Type type)
        => type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? type.Assembly.GetName().Version?.ToString() ?? "?";
}
