using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedisScheduler.LoadTest.Systems;

namespace RedisScheduler.Benchmarks;

/// <summary>
/// The whole worker path, allocations included: a host runs the library's worker (concurrency 32)
/// with a no-op handler, and each invocation schedules <see cref="Tasks"/> due tasks in one batch
/// and waits until the handler has run for all of them. The baseline schedules as many tasks of a
/// type no worker handles, so the difference between the two is what the worker costs: claims,
/// acknowledgements, handler dispatch, DI scope and deserialization, per <see cref="Tasks"/> tasks.
/// MemoryDiagnoser counts every thread's allocations (StackExchange.Redis's included).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15, invocationCount: 1)]
public class WorkerDrainBenchmarks
{
    public const int Tasks = 1000;

    private static readonly (DateTimeOffset, OrderPayload)[] DueOrders = [.. Enumerable.Repeat((DateTimeOffset.UnixEpoch, OrderPayload.Sample), Tasks)];
    private static readonly (DateTimeOffset, UnhandledOrder)[] DueUnhandled = [.. Enumerable.Repeat((DateTimeOffset.UnixEpoch, new UnhandledOrder(123456, "c-000123", 42.5m, new string('x', 46))), Tasks)];

    private SchedulerFixture fixture = null!;
    private AgentTelemetry? collecting;
    private IHost host = null!;
    private ITaskScheduler scheduler = null!;

    /// <summary>
    /// Whether the OpenTelemetry SDK collects the library's traces and metrics (<c>LoadTest/Systems/AgentTelemetry.cs</c>, linked):
    /// the difference between the rows is what being observed costs the whole worker path, both the
    /// scheduling call's <c>send</c> span and each run's <c>process</c> span and measurements.
    /// </summary>
    [Params(false, true)]
    public bool Collecting { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        collecting = Collecting ? AgentTelemetry.StartIfRequested(new Dictionary<string, string> { ["telemetry"] = "on" }) : null;
        fixture = new SchedulerFixture();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services
            .AddRedisScheduler(o => o.ConnectionMultiplexerFactory = fixture.Options.ConnectionMultiplexerFactory)
            .AddTaskHandler<DrainHandler>(o => o.Concurrency = 32);
        host = builder.Build();
        host.Start();
        scheduler = host.Services.GetRequiredService<ITaskScheduler>();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        host.StopAsync().GetAwaiter().GetResult();
        host.Dispose();
        fixture.Dispose();
        collecting?.Dispose();
    }

    [IterationCleanup(Target = nameof(ScheduleOnly))]
    public void DeleteUnhandled() => fixture.Database.KeyDelete(new Storage.TaskTypeKeys(fixture.Options.KeyPrefix, "unhandled-order").All);

    /// <summary>Schedules the tasks, which nothing handles: the scheduling share of <see cref="ScheduleAndDrain"/>.</summary>
    [Benchmark(Baseline = true)]
    public Task ScheduleOnly() => scheduler.ScheduleTasksAsync(DueUnhandled);

    /// <summary>Schedules the tasks and waits until the worker has run the handler for every one.</summary>
    [Benchmark]
    public async Task ScheduleAndDrain()
    {
        var drained = DrainHandler.Expect(Tasks);
        await scheduler.ScheduleTasksAsync(DueOrders).ConfigureAwait(false);
        await drained.ConfigureAwait(false);
    }

    /// <summary>Counts handler runs down and completes when the expected number has run.</summary>
    internal sealed class DrainHandler : TaskHandler<OrderPayload>
    {
        private static int remaining;
        private static TaskCompletionSource done = new();

        public static Task Expect(int count)
        {
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref remaining, count);
            return done.Task;
        }

        protected override Task HandleAsync(OrderPayload payload, TaskContext context, CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref remaining) == 0)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        }
    }
}

/// <summary>The same payload under a type no worker in the benchmark handles.</summary>
[TaskType("unhandled-order")]
internal sealed record UnhandledOrder(int OrderId, string Customer, decimal Amount, string Note);
