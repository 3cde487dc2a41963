using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

public sealed class DependencyInjectionTests
{
    [Test]
    public void TaskTypeRegistry_ListsHandlerAndMappedPayloadTypes_ByTaskTypeName()
    {
        var services = new ServiceCollection();
        services.AddRedisScheduler(o => o.Configuration = "localhost:1")
            .AddTaskHandler<ProbeHandler>()
            .MapTaskType<RegistryOnlyPayload>("mapped-only");
        using var provider = services.BuildServiceProvider();

        var types = provider.GetRequiredService<ITaskTypeRegistry>().PayloadTypes;

        Assert.That(types, Is.EquivalentTo(new Dictionary<string, Type> { ["probe"] = typeof(ProbeTask), ["mapped-only"] = typeof(RegistryOnlyPayload) }));
    }

    [Test]
    public async Task Host_ConfiguredFromConfigurationSection_RunsHandlerWithScopePerTask()
    {
        await using var scope = new TestScope();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RedisScheduler:Configuration"] = scope.Server.Configuration,
            ["RedisScheduler:KeyPrefix"] = scope.Prefix,
            ["RedisScheduler:MaxIdleDelay"] = "00:00:00.200",
        });
        var seen = new ScopeLog();
        builder.Services.AddSingleton(seen);
        builder.Services.AddScoped<ScopedDependency>();
        builder.Services.AddRedisScheduler(builder.Configuration.GetSection("RedisScheduler"))
            .AddTaskHandler<ScopedHandler>(o => o.Concurrency = 1);
        using var host = builder.Build();
        await host.StartAsync();

        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        await scheduler.EnqueueTaskAsync(new ScopedTask(1));
        await scheduler.EnqueueTaskAsync(new ScopedTask(2));
        await seen.Done.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await host.StopAsync();

        Assert.That(seen.Dependencies, Has.Count.EqualTo(2));
        Assert.That(seen.Dependencies[0], Is.Not.SameAs(seen.Dependencies[1]), "each task gets its own scope");
        Assert.That(seen.Dependencies.All(d => d.Disposed), Is.True, "each scope is disposed when its task ends");
        Assert.Throws<ObjectDisposedException>(() => _ = seen.Contexts[0].Services, "no new scope once the task has ended");
    }

    [Test]
    public void AddRedisScheduler_CalledTwiceWithHandlerTwice_RegistersEachServiceOnce()
    {
        var services = new ServiceCollection();
        services.AddRedisScheduler(o => o.Configuration = "localhost").AddTaskHandler<ProbeHandler>();
        services.AddRedisScheduler(o => o.KeyPrefix = "second").AddTaskHandler<ProbeHandler>();

        Assert.That(services.Count(d => d.ServiceType == typeof(ITaskScheduler)), Is.EqualTo(1));
        Assert.That(services.Count(d => d.ServiceType == typeof(IHostedService)), Is.EqualTo(2), "the handler and the worker registry's heartbeat, each once");
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<RedisSchedulerOptions>>().Value;
        Assert.That((options.Configuration, options.KeyPrefix), Is.EqualTo(("localhost", "second")), "both configure calls apply");
    }

    [Test]
    public async Task Host_WithApplicationOwnedConnection_DoesNotDisposeIt()
    {
        await using var scope = new TestScope();
        using var connection = await ConnectionMultiplexer.ConnectAsync(scope.Server.Configuration);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new TaskProbe()).AddSingleton(new WorkerName("A"));
        builder.Services.AddRedisScheduler(o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection);
            o.KeyPrefix = scope.Prefix;
        }).AddTaskHandler<ProbeHandler>();
        using (var host = builder.Build())
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<ITaskScheduler>().EnqueueTaskAsync(new ProbeTask(1));
            await host.Services.GetRequiredService<TaskProbe>().WaitForAsync(1, TimeSpan.FromSeconds(20));
            await host.StopAsync();
        }

        Assert.That(connection.IsConnected, Is.True);
        Assert.That(await connection.GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task TaskHandler_RegisteredAsPlainHostedService_FailsAtStartWithHowToFix()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new TaskProbe()).AddSingleton(new WorkerName("A"));
        builder.Services.AddRedisScheduler(o => o.Configuration = "localhost");
        builder.Services.AddHostedService<ProbeHandler>();
        using var host = builder.Build();

        await host.StartAsync();
        // Since .NET 10 a BackgroundService's ExecuteAsync runs in the background; its task carries the failure.
        var handler = host.Services.GetServices<IHostedService>().OfType<ProbeHandler>().Single();

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => handler.ExecuteTask!);
        Assert.That(error!.Message, Does.Contain("AddTaskHandler<ProbeHandler>"));
    }

    [TaskType("scoped")]
    public sealed record ScopedTask(int Number);

    public sealed class ScopedDependency : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    public sealed class ScopeLog
    {
        public List<ScopedDependency> Dependencies { get; } = [];

        public List<TaskContext> Contexts { get; } = [];

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public sealed class ScopedHandler(ScopeLog log) : TaskHandler<ScopedTask>
    {
        protected override Task HandleAsync(ScopedTask payload, TaskContext context, CancellationToken cancellationToken)
        {
            lock (log)
            {
                log.Dependencies.Add(context.Services.GetRequiredService<ScopedDependency>());
                log.Contexts.Add(context);
                if (log.Dependencies.Count == 2)
                {
                    // Stopping the host waits for this handler, so its scope is disposed before the test checks.
                    log.Done.TrySetResult();
                }
            }

            return Task.CompletedTask;
        }
    }
}

internal sealed record RegistryOnlyPayload(int Value);
