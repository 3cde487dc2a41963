using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests;

/// <summary>MapRedisSchedulerDashboard checks what it is given when the app starts.</summary>
public sealed class MapTests
{
    [Test]
    public async Task Map_InvalidOptions_ThrowsSayingHowToFix()
    {
        await using var app = Build(withScheduler: true);

        var error = Assert.Throws<ArgumentException>(() => app.MapRedisSchedulerDashboard("/scheduler", o => o.DefaultPageSize = 0));

        Assert.That(error!.Message, Does.Contain("DefaultPageSize is 0: use 1 to 500"));
    }

    [Test]
    public async Task Map_WithoutAddRedisScheduler_ThrowsSayingWhatToCall()
    {
        await using var app = Build(withScheduler: false);

        var error = Assert.Throws<InvalidOperationException>(() => app.MapRedisSchedulerDashboard());

        Assert.That(error!.Message, Does.Contain("AddRedisScheduler"));
    }

    [Test]
    public async Task Map_AnyPrefix_ServesTheApiUnderIt()
    {
        await using var app = Build(withScheduler: true);
        app.MapRedisSchedulerDashboard("/ops/jobs");
        app.Use((context, next) =>
        {
            context.Connection.RemoteIpAddress = System.Net.IPAddress.IPv6Loopback;
            return next(context);
        });
        await app.StartAsync();

        var response = await app.GetTestClient().GetAsync("/ops/jobs/api/types");

        Assert.That((int)response.StatusCode, Is.EqualTo(200));
    }

    private static WebApplication Build(bool withScheduler)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        if (withScheduler)
        {
            builder.Services.AddRedisScheduler(o =>
            {
                o.Configuration = RedisServerFixture.Server.Configuration;
                o.KeyPrefix = "dash-map-" + Guid.NewGuid().ToString("N")[..8];
            });
        }

        return builder.Build();
    }
}
