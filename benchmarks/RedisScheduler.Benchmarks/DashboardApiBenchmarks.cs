using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedisScheduler.Registry;
using RedisScheduler.Storage;
using RedisScheduler.Storage.Scripts;
using StackExchange.Redis;

namespace RedisScheduler.Benchmarks;

/// <summary>
/// The dashboard's admin API over HTTP (Kestrel on loopback) with 1,000,000 pending tasks over 20
/// types: the overview's calls (api/types, api/health), a list page at the start and deep in a type's
/// schedule, and the two chart calls. Target: each under 50 ms. No KEYS, no SCAN anywhere: counts are
/// ZCARD/LLEN, pages ZRANGE by rank, charts ZCOUNT and HMGET.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class DashboardApiBenchmarks
{
    private const int Types = 20;
    private const int Pending = 1_000_000;
    private const int PerType = Pending / Types;

    private RedisServerProcess server = null!;
    private ConnectionMultiplexer redis = null!;
    private WebApplication app = null!;
    private HttpClient client = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        client.Dispose();
        app.StopAsync().GetAwaiter().GetResult();
        redis.Dispose();
        server.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<string> TypesOverview() => client.GetStringAsync("/scheduler/api/types");

    [Benchmark]
    public Task<string> Health() => client.GetStringAsync("/scheduler/api/health");

    [Benchmark]
    public Task<string> ListFirstPage() => client.GetStringAsync("/scheduler/api/tasks?type=type-07&state=scheduled&count=50");

    [Benchmark]
    public Task<string> ListDeepOffset() => client.GetStringAsync($"/scheduler/api/tasks?type=type-07&state=scheduled&offset={PerType - 50}&count=50");

    [Benchmark]
    public Task<string> Timeline() => client.GetStringAsync("/scheduler/api/timeline");

    [Benchmark]
    public Task<string> Stats() => client.GetStringAsync("/scheduler/api/stats");

    private async Task SetupAsync()
    {
        server = RedisServerProcess.Start();
        redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddRedisScheduler(o => o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(redis));
        app = builder.Build();
        app.MapRedisSchedulerDashboard("/scheduler");
        await FillAsync(app.Services);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        client = new HttpClient { BaseAddress = new Uri(address) };
    }

    /// <summary>
    /// 50,000 tasks per type, due over the next day, scheduled as ScheduleTasksAsync does (schedule.lua,
    /// 500 tasks a call, the calls pipelined); the types listed in the registry as workers' heartbeats list them.
    /// </summary>
    private async Task FillAsync(IServiceProvider services)
    {
        var started = Stopwatch.StartNew();
        var names = services.GetRequiredService<TaskTypeNames>();
        var registry = services.GetRequiredService<RegistryKeys>();
        var database = redis.GetDatabase();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var payload = System.Text.Encoding.UTF8.GetBytes("""{"orderId":123456,"customer":"c-000001","amount":42.5,"note":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""");
        for (var t = 0; t < Types; t++)
        {
            var keys = names.GetKeys($"type-{t:00}");
            var calls = new List<Task<long>>();
            for (var first = 0; first < PerType; first += 500)
            {
                var args = ScheduleScript.GeneratedIds(keys, relative: false, "", 500);
                for (var i = 0; i < 500; i++)
                {
                    ScheduleScript.SetTask(args, i, now + 60_000 + ((first + i) * 1_700L), payload);
                }

                calls.Add(ScheduleScript.RunAsync(database, keys, args));
            }

            await Task.WhenAll(calls);
            await database.HashSetAsync(registry.Types, keys.TaskType, now);
        }

        var memory = (string)(await database.ExecuteAsync("INFO", "memory"))!;
        var used = memory.Split('\n').First(l => l.StartsWith("used_memory_human:", StringComparison.Ordinal)).Trim();
        Console.WriteLine($"// Filled {Pending:N0} pending tasks over {Types} types in {started.Elapsed.TotalSeconds:F1} s; {used}");
    }
}
