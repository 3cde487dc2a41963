using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedisScheduler.Storage;
using StackExchange.Redis;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>
/// One test's view of the shared Redis: a key prefix of its own, a direct connection for asserting
/// on Redis state, and builders for scheduler-only service providers and worker hosts.
/// </summary>
public sealed class TestScope : IAsyncDisposable
{
    private readonly List<IHost> hosts = [];
    private readonly List<ServiceProvider> providers = [];

    /// <param name="server">A server of the test's own; the shared one by default.</param>
    /// <param name="connect">False when the server is down: the assertion connection then connects in the background.</param>
    /// <param name="prefix">A fixed key prefix, for ACL rules written before the test; a fresh one by default.</param>
    public TestScope(RedisServerProcess? server = null, bool connect = true, string? prefix = null)
        : this(RedisTarget.Of(server ?? RedisScheduler.Tests.RedisServerFixture.Server), connect, prefix)
    {
    }

    /// <param name="target">The run's server or its cluster, by name (see <see cref="RedisTarget"/>).</param>
    public TestScope(string target)
        : this(RedisTarget.Get(target), connect: true, prefix: null)
    {
    }

    private TestScope(RedisTarget target, bool connect, string? prefix)
    {
        Target = target;
        Connection = ConnectionMultiplexer.Connect(target.Configuration + ",allowAdmin=true" + (connect ? "" : ",abortConnect=false"));
        Prefix = prefix ?? "test-" + Guid.NewGuid().ToString("N")[..12];
    }

    public RedisTarget Target { get; }

    /// <summary>Gets the one redis-server of a "single" scope; a cluster scope has none (use <see cref="Configuration"/>).</summary>
    public RedisServerProcess Server => Target.Server
        ?? throw new InvalidOperationException("This test runs on the Redis Cluster, which has no single server: use scope.Configuration or scope.Primaries().");

    /// <summary>Gets the StackExchange.Redis configuration of the scope's server or cluster.</summary>
    public string Configuration => Target.Configuration;

    public string Prefix { get; }

    public ConnectionMultiplexer Connection { get; }

    public IDatabase Database => Connection.GetDatabase();

    internal TaskTypeKeys Keys(string taskType = "probe") => new(Prefix, taskType);

    public void Configure(RedisSchedulerOptions options)
    {
        options.Configuration = Configuration;
        options.KeyPrefix = Prefix;
    }

    /// <summary>A service provider with the scheduler but no workers.</summary>
    public ITaskScheduler CreateScheduler(Action<RedisSchedulerOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddRedisScheduler(o =>
        {
            Configure(o);
            configure?.Invoke(o);
        });
        var provider = services.BuildServiceProvider();
        providers.Add(provider);
        return provider.GetRequiredService<ITaskScheduler>();
    }

    /// <summary>The monitor of a service provider with the scheduler but no workers.</summary>
    public ITaskMonitor CreateMonitor()
    {
        var services = new ServiceCollection();
        services.AddRedisScheduler(Configure);
        var provider = services.BuildServiceProvider();
        providers.Add(provider);
        return provider.GetRequiredService<ITaskMonitor>();
    }

    /// <summary>A started host running a <see cref="ProbeHandler"/>, with its own connection.</summary>
    /// <param name="probe">Shared by several hosts when a test wants to await their combined count.</param>
    /// <param name="handler">Further handler options, such as limits.</param>
    /// <param name="services">Further services of the host, such as health checks.</param>
    public async Task<(IHost Host, TaskProbe Probe)> StartWorkerAsync(string name, int concurrency = 8, Action<RedisSchedulerOptions>? configure = null, TaskProbe? probe = null, Action<TaskHandlerOptions>? handler = null, Action<IServiceCollection>? services = null)
    {
        probe ??= new TaskProbe();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(probe);
        builder.Services.AddSingleton(new WorkerName(name));
        builder.Services.AddRedisScheduler(o =>
        {
            Configure(o);
            configure?.Invoke(o);
        }).AddTaskHandler<ProbeHandler>(o =>
        {
            o.Concurrency = concurrency;
            handler?.Invoke(o);
        });
        services?.Invoke(builder.Services);
        var host = builder.Build();
        hosts.Add(host);
        await host.StartAsync();
        return (host, probe);
    }

    /// <summary>
    /// Waits until no task of <paramref name="taskType"/> is in flight. A <see cref="TaskProbe"/> records a
    /// task as its handler starts; the acknowledgement that takes it out of the in-flight set is written
    /// after the handler returns, batched with others, so a test that checks the keys after
    /// <see cref="TaskProbe.WaitForAsync"/> waits for it here first.
    /// </summary>
    public Task WaitUntilNothingInFlightAsync(string taskType = "probe")
        => DeadLetterTests.WaitForAsync(() => Database.SortedSetLengthAsync(Keys(taskType).InFlight), inFlight => inFlight == 0);

    /// <summary>Stops and disposes a host the test built itself when the scope ends.</summary>
    public void Track(IHost host) => hosts.Add(host);

    /// <summary>The servers that hold data: the one server, or every master of the cluster.</summary>
    public IReadOnlyList<IServer> Primaries() => [.. Connection.GetServers().Where(s => s.IsConnected && !s.IsReplica)];

    /// <summary>The primary that holds <paramref name="key"/>: the one server, or the master of its cluster slot.</summary>
    public IServer ServerOf(RedisKey key) => Connection.GetServer(Database.IdentifyEndpoint(key)!);

    /// <summary>Every key matching <paramref name="pattern"/> (SCAN on every primary; fine for the small test databases).</summary>
    public IReadOnlyList<RedisKey> KeysMatching(string pattern) => [.. Primaries().SelectMany(s => s.Keys(pattern: pattern))];

    /// <summary>
    /// Every key under this test's prefix, but those of the worker registry, which belong to the
    /// instances rather than to any task (RegistryTests check them), and the activity buckets, which
    /// count finished tasks for the dashboard and expire (ChartDataTests check them).
    /// </summary>
    public IReadOnlyList<RedisKey> KeysWritten()
        => [.. KeysMatching(Prefix + "*").Where(k => !k.ToString().StartsWith(Prefix + ":{:registry}:", StringComparison.Ordinal) && !k.ToString().Contains("}:activity:", StringComparison.Ordinal))];

    internal Task<RedisResult> RunScriptAsync(SchedulerScript script, params RedisValue[] args)
        => SchedulerScripts.EvaluateAsync(Database, script, Keys().All, args);

    internal static (string TaskType, string LocalId) Parse(string taskId) => TaskId.Parse(taskId);

    /// <summary>One claim.lua call exactly as a worker makes it, with the given lease and attempt limit.</summary>
    internal Task<Handling.ClaimResult> ClaimAsync(int wanted = 1, int leaseMs = 30_000, int maxAttempts = 10)
        => Handling.ClaimScript.RunAsync(Database, Keys(), wanted, new RedisSchedulerOptions { LeaseDuration = TimeSpan.FromMilliseconds(leaseMs) }, maxAttempts);

    /// <summary>One ack.lua call for one claimed task, with the arguments a worker's AckBatcher writes.</summary>
    /// <returns><see langword="false"/> when the task's lease was lost.</returns>
    internal async Task<bool> AckAsync(Handling.ClaimedTask task, int succeededHistoryLimit = 10)
    {
        var call = Handling.AckScript.Create(Keys(), succeededHistoryLimit, 1);
        Handling.AckScript.SetTask(call, 0, task, null);
        return !Handling.AckScript.ParseReply(await call.EvaluateAsync(Database, Keys())).LeaseLost.Any();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }

        await Connection.DisposeAsync();
    }
}
