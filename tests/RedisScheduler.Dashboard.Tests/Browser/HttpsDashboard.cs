using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RedisScheduler.Dashboard.Tests.Browser;

/// <summary>
/// A dashboard served over HTTPS by real Kestrel on a free loopback port, with a certificate made for the
/// run, behind a path base (<c>/ops</c>, as a reverse proxy would give it) and at the prefix <c>/scheduler</c>.
/// With <c>workers</c>, the app also runs the browser tests' handlers, so it is a live worker.
/// </summary>
public sealed class HttpsDashboard : IAsyncDisposable
{
    private readonly WebApplication app;

    private HttpsDashboard(WebApplication app, string keyPrefix, Uri address)
    {
        this.app = app;
        KeyPrefix = keyPrefix;
        PageAddress = address;
    }

    /// <summary>The key prefix of the scheduler's data in Redis.</summary>
    public string KeyPrefix { get; }

    /// <summary>The dashboard's page, such as https://127.0.0.1:41234/ops/scheduler/.</summary>
    public Uri PageAddress { get; }

    public IServiceProvider Services => app.Services;

    public BrowserSwitches Switches => app.Services.GetRequiredService<BrowserSwitches>();

    public static async Task<HttpsDashboard> StartAsync(string keyPrefix, bool workers, Action<RedisSchedulerDashboardOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var certificate = SelfSignedCertificate.ForLoopback();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        builder.Services.AddSingleton<BrowserSwitches>();
        var scheduler = builder.Services.AddRedisScheduler(o =>
            {
                o.Configuration = RedisServerFixture.Server.Configuration;
                o.KeyPrefix = keyPrefix;
                o.MaxIdleDelay = TimeSpan.FromMilliseconds(100);
            })
            .MapTaskType<Invoice>("invoice")
            .MapTaskType<Receipt>("receipt")
            .MapTaskType<Report>("report")
            .MapTaskType<SyncRun>("sync")
            .MapTaskType<Fragile>("fragile");
        if (workers)
        {
            scheduler.AddTaskHandler<ReceiptHandler>()
                .AddTaskHandler<ReportHandler>(o => o.Concurrency = 1)
                .AddTaskHandler<SyncHandler>(o => o.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromHours(1), JitterFactor = 0 })
                .AddTaskHandler<FragileHandler>();
        }

        var app = builder.Build();
        app.UsePathBase("/ops");
        app.MapRedisSchedulerDashboard("/scheduler", configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new HttpsDashboard(app, keyPrefix, new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/ops/scheduler/"));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
