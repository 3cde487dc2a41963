using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RedisScheduler.Dashboard.Tests;

/// <summary>An invoice to schedule through the API: its class is registered (MapTaskType) but no instance handles it, so its tasks stay put.</summary>
public sealed record Invoice(string Number, decimal Amount);

/// <summary>A task whose handler fails for good at once, to make dead letters.</summary>
[TaskType("doomed")]
public sealed record Doomed(int Value);

public sealed class DoomedHandler : TaskHandler<Doomed>
{
    protected override Task HandleAsync(Doomed payload, TaskContext context, CancellationToken cancellationToken)
        => throw new PermanentTaskFailureException($"doomed {payload.Value}");
}

/// <summary>
/// One test's ASP.NET Core app on the test host, against the shared Redis under a key prefix of its own:
/// the admin API mapped at /scheduler, a handler of <see cref="Doomed"/>, the <see cref="Invoice"/> class
/// registered, and every request seen as coming from <c>remote</c> (loopback by default).
/// </summary>
public sealed class DashboardApp : IAsyncDisposable
{
    private readonly WebApplication app;

    private DashboardApp(WebApplication app, string prefix, ConnectionMultiplexer redis)
    {
        this.app = app;
        Prefix = prefix;
        Redis = redis;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public string Prefix { get; }

    public ConnectionMultiplexer Redis { get; }

    public IServiceProvider Services => app.Services;

    public ITaskScheduler Scheduler => app.Services.GetRequiredService<ITaskScheduler>();

    public static async Task<DashboardApp> StartAsync(Action<RedisSchedulerDashboardOptions>? configure = null, IPAddress? remote = null, string? policy = null, Action<IServiceCollection>? services = null, TimeProvider? time = null)
    {
        var server = RedisServerFixture.Server;
        var prefix = "dash-" + Guid.NewGuid().ToString("N")[..12];
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddRedisScheduler(o =>
            {
                o.Configuration = server.Configuration;
                o.KeyPrefix = prefix;
                o.MaxIdleDelay = TimeSpan.FromMilliseconds(100);
            })
            .AddTaskHandler<DoomedHandler>()
            .MapTaskType<Invoice>("invoice");
        builder.Services.AddAuthorization(o => o.AddPolicy("ops", p => p.RequireAssertion(_ => true)));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.Use((context, next) =>
        {
            context.Connection.RemoteIpAddress = remote ?? IPAddress.Loopback;
            return next(context);
        });
        app.UseAuthorization();
        var endpoints = app.MapRedisSchedulerDashboard("/scheduler", configure);
        if (policy is not null)
        {
            endpoints.RequireAuthorization(policy);
        }

        await app.StartAsync();
        return new DashboardApp(app, prefix, await ConnectionMultiplexer.ConnectAsync(server.Configuration));
    }

    /// <summary>A JSON POST as the dashboard's own page sends it.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, object? body = null)
        => Client.PostAsync(path, body is null ? Json("") : JsonContent.Create(body));

    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    /// <summary>Every key under this app's prefix but the worker registry's (SCAN; fine for a test database).</summary>
    public IReadOnlyList<string> Keys()
        => [.. Redis.GetServer(Redis.GetEndPoints()[0]).Keys(pattern: Prefix + "*").Select(k => k.ToString()).Where(k => !k.Contains("{:registry}", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>What a test asserts stays the same when a request is refused: the keys and the invoice counts.</summary>
    public async Task<string> SnapshotAsync()
        => string.Join(",", Keys()) + " " + await Services.GetRequiredService<ITaskMonitor>().GetCountsAsync("invoice");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
