using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests;

/// <summary>The pages' shell and assets over the test host: headers, the antiforgery token, the redirect to the slash.</summary>
public sealed partial class PageTests
{
    [Test]
    public async Task Shell_IsServedWithTokenAndSecurityHeaders()
    {
        await using var app = await DashboardApp.StartAsync();

        var response = await app.Client.GetAsync("/scheduler/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(csp, Does.Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.Not.Contain("unsafe-inline"));
        Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        Assert.That(response.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));
        Assert.That(TokenOf(html), Is.Not.Empty);
        Assert.That(response.Headers.GetValues("Set-Cookie").Single(), Does.StartWith(".AspNetCore.Antiforgery."));
        Assert.That(html, Does.Not.Contain("<script>").And.Contain("data-refresh-ms=\"2000\""));
    }

    [Test]
    public async Task PrefixWithoutSlash_RedirectsToThePageAddress()
    {
        await using var app = await DashboardApp.StartAsync();

        var response = await app.Client.GetAsync("/scheduler?x=1");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/scheduler/?x=1"));
    }

    [TestCase("core.js", "text/javascript")]
    [TestCase("dashboard.css", "text/css")]
    public async Task Asset_IsServedFromTheAssembly(string name, string mediaType)
    {
        await using var app = await DashboardApp.StartAsync();

        var response = await app.Client.GetAsync($"/scheduler/assets/{name}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(mediaType));
        Assert.That(response.Headers.ETag, Is.Not.Null);
        Assert.That((await app.Client.GetAsync("/scheduler/assets/index.html")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the shell only with its placeholders filled");
    }

    [Test]
    public async Task ChangeFromABrowserWithThePagesCookie_NeedsTheToken()
    {
        await using var app = await DashboardApp.StartAsync();
        var shell = await app.Client.GetAsync("/scheduler/");
        var cookie = shell.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var token = TokenOf(await shell.Content.ReadAsStringAsync());
        var before = await app.SnapshotAsync();

        var withoutToken = await SendAsync(app, cookie, null);
        var wrongToken = await SendAsync(app, cookie, token[..^4] + "AAAA");

        Assert.That(withoutToken.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await withoutToken.Content.ReadAsStringAsync(), Does.Contain("antiforgery"));
        Assert.That(wrongToken.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await app.SnapshotAsync(), Is.EqualTo(before));
        Assert.That((await SendAsync(app, cookie, token)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task Replicas_TokenFromOneIsAcceptedByAnother_OnlyWithASharedKeyRing()
    {
        // Two replicas of one app behind a load balancer: the page comes from one, the click goes to the other.
        var keyRing = Directory.CreateTempSubdirectory("rs-keys-");
        try
        {
            void SharedKeys(IServiceCollection s) => s.AddDataProtection().PersistKeysToFileSystem(keyRing).SetApplicationName("ops");
            await using var first = await DashboardApp.StartAsync(services: SharedKeys);
            await using var second = await DashboardApp.StartAsync(services: SharedKeys);
            await using var unshared = await DashboardApp.StartAsync();
            var shell = await first.Client.GetAsync("/scheduler/");
            var cookie = shell.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
            var token = TokenOf(await shell.Content.ReadAsStringAsync());

            Assert.That((await SendAsync(unshared, cookie, token)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a replica with keys of its own refuses the token");
            Assert.That((await SendAsync(second, cookie, token)).StatusCode, Is.EqualTo(HttpStatusCode.Created), "a replica sharing the key ring accepts it");
        }
        finally
        {
            keyRing.Delete(recursive: true);
        }
    }

    [Test]
    public async Task AppWithItsOwnAntiforgery_ItsOptionsApply()
    {
        await using var app = await DashboardApp.StartAsync(services: s => s.AddAntiforgery(o =>
        {
            o.Cookie.Name = "ops-antiforgery";
            o.HeaderName = "X-Ops-Token";
        }));

        var shell = await app.Client.GetAsync("/scheduler/");
        var cookie = shell.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/scheduler/api/tasks/invoice") { Content = JsonContent.Create(new { payload = new { number = "P", amount = 1 } }) };
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add("X-Ops-Token", TokenOf(await shell.Content.ReadAsStringAsync()));

        Assert.That(cookie, Does.StartWith("ops-antiforgery="));
        Assert.That(await shell.Content.ReadAsStringAsync(), Does.Contain("data-header=\"X-Ops-Token\""));
        Assert.That((await app.Client.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task TokenWithoutTheCookie_Refused403()
    {
        await using var app = await DashboardApp.StartAsync();
        var token = TokenOf(await app.Client.GetStringAsync("/scheduler/"));

        Assert.That((await SendAsync(app, null, token)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task ReadOnly_ShellSaysSo()
    {
        await using var app = await DashboardApp.StartAsync(o => o.ReadOnly = true);

        Assert.That(await app.Client.GetStringAsync("/scheduler/"), Does.Contain("data-read-only=\"true\""));
    }

    [TestCase(100)]
    [TestCase(20 * 60 * 1000)]
    public void RefreshInterval_OutOfRange_FailsAtMapWithHowToFix(int milliseconds)
    {
        var e = Assert.ThrowsAsync<ArgumentException>(() => DashboardApp.StartAsync(o => o.RefreshInterval = TimeSpan.FromMilliseconds(milliseconds)));

        Assert.That(e!.Message, Does.Contain("RefreshInterval").And.Contain("TimeSpan.Zero"));
    }

    [Test]
    public async Task RefreshIntervalZero_TurnsLiveRefreshOff()
    {
        await using var app = await DashboardApp.StartAsync(o => o.RefreshInterval = TimeSpan.Zero);

        Assert.That(await app.Client.GetStringAsync("/scheduler/"), Does.Contain("data-refresh-ms=\"0\""));
    }

    private static Task<HttpResponseMessage> SendAsync(DashboardApp app, string? cookie, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/scheduler/api/tasks/invoice") { Content = JsonContent.Create(new { payload = new { number = "P", amount = 1 } }) };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (token is not null)
        {
            request.Headers.Add("RequestVerificationToken", token);
        }

        return app.Client.SendAsync(request);
    }

    private static string TokenOf(string html) => TokenMeta().Match(html).Groups[1].Value;

    [GeneratedRegex("""<meta name="rs-antiforgery" content="([^"]*)" """)]
    private static partial Regex TokenMeta();
}
