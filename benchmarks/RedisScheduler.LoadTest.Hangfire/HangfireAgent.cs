using System.Globalization;
using System.Reflection;
using Hangfire;
using Hangfire.Redis.StackExchange;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedisScheduler.LoadTest.Agent;
using StackExchange.Redis;

namespace RedisScheduler.LoadTest.Hangfire;

/// <summary>
/// Hangfire on Redis as the load test's agent: <see cref="BackgroundJobClient"/>.Schedule for the
/// client, and a generic host with <c>AddHangfireServer</c> (WorkerCount = concurrency) for the worker.
/// Storage and server options are Hangfire's defaults unless set with <c>--set</c>:
/// <c>polling-ms</c> (BackgroundJobServerOptions.SchedulePollingInterval, default 15 s) and
/// <c>fetch-timeout-ms</c> (RedisStorageOptions.FetchTimeout, default 3 min).
/// </summary>
/// <remarks>
/// Serialization follows Hangfire's documented setup for new applications
/// (<c>SetDataCompatibilityLevel(Version_180)</c>, <c>UseSimpleAssemblyNameTypeSerializer</c>,
/// <c>UseRecommendedSerializerSettings</c>), which also keeps its stored jobs smaller.
/// </remarks>
internal sealed class HangfireAgent : ISystemAgent
{
    private ConnectionMultiplexer? multiplexer;
    private BackgroundJobClient? client;
    private IHost? host;

    public string Description { get; private set; } = "Hangfire";

    public bool BlocksCallingThread => true;

    public bool SupportsBatch => false;

    public async Task PrepareAsync(AgentArguments arguments)
    {
        var storageOptions = new RedisStorageOptions();
        if (arguments.IntSetting("fetch-timeout-ms") is { } fetchTimeout)
        {
            storageOptions.FetchTimeout = TimeSpan.FromMilliseconds(fetchTimeout);
        }

        multiplexer = await ConnectionMultiplexer.ConnectAsync(arguments.Redis);
        var storage = new RedisStorage(multiplexer, storageOptions);
        var polling = arguments.IntSetting("polling-ms") is { } pollingMs ? TimeSpan.FromMilliseconds(pollingMs) : (TimeSpan?)null;
        void Configure(IGlobalConfiguration configuration) => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(storage);

        if (arguments.IsWorker)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.ClearProviders();
            builder.Services.AddHangfire(Configure);
            builder.Services.AddHangfireServer(o =>
            {
                o.WorkerCount = arguments.Concurrency;
                if (polling is { } interval)
                {
                    o.SchedulePollingInterval = interval;
                }
            });
            host = builder.Build();
        }
        else
        {
            Configure(GlobalConfiguration.Configuration);
            client = new BackgroundJobClient(storage);
        }

        var server = new BackgroundJobServerOptions();
        Description = string.Create(
            CultureInfo.InvariantCulture,
            $"Hangfire.Core {VersionOf(typeof(BackgroundJob))}; Hangfire.Redis.StackExchange {VersionOf(typeof(RedisStorage))}; StackExchange.Redis {VersionOf(typeof(ConnectionMultiplexer))}; SchedulePollingInterval {(polling ?? server.SchedulePollingInterval).TotalMilliseconds} ms; FetchTimeout {storageOptions.FetchTimeout.TotalMilliseconds} ms");
    }

    public ValueTask ScheduleAsync(LoadOrder order, DateTimeOffset dueAt)
    {
        client!.Schedule(() => HangfireJobs.Run(order), dueAt);
        return ValueTask.CompletedTask;
    }

    public Task ScheduleBatchAsync(IReadOnlyList<(DateTimeOffset DueAt, LoadOrder Order)> tasks)
        => throw new NotSupportedException("Hangfire has no batch API for scheduling (batches are a Hangfire Pro feature).");

    public Task StartWorkerAsync() => host!.StartAsync();

    public async Task StopWorkerAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await host!.StopAsync(cancel.Token);
    }

    public async ValueTask DisposeAsync()
    {
        host?.Dispose();
        if (multiplexer is not null)
        {
            await multiplexer.DisposeAsync();
        }
    }

    private static string VersionOf(Type type)
        => type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? type.Assembly.GetName().Version?.ToString() ?? "?";
}
