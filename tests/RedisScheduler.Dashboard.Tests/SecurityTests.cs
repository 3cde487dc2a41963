using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests;

/// <summary>Secure by default: remote requests need a policy, read-only refuses changes, cross-site changes are refused.</summary>
public sealed class SecurityTests
{
    private static readonly IPAddress Remote = IPAddress.Parse("203.0.113.7");

    [Test]
    public async Task RemoteRequest_WithoutAuthorizationPolicy_Refused403()
    {
        await using var app = await DashboardApp.StartAsync(remote: Remote);
        var before = await app.SnapshotAsync();

        var read = await app.Client.GetAsync("/scheduler/api/types");
        var write = await app.PostAsync("/scheduler/api/tasks/invoice", new { payload = new { number = "X", amount = 1 } });

        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(read.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await read.Content.ReadAsStringAsync(), Does.Contain("RequireAuthorization"));
        Assert.That(write.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await app.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task RemoteRequest_WithAuthorizationPolicy_IsServed()
    {
        await using var app = await DashboardApp.StartAsync(remote: Remote, policy: "ops");

        Assert.That((await app.Client.GetAsync("/scheduler/api/types")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RemoteRequest_AllowRemoteWithoutAuthorization_IsServed()
    {
        await using var app = await DashboardApp.StartAsync(o => o.AllowRemoteWithoutAuthorization = true, remote: Remote);

        Assert.That((await app.Client.GetAsync("/scheduler/api/types")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ReadOnly_RefusesEveryChange_AndServesReads()
    {
        await using var app = await DashboardApp.StartAsync(o => o.ReadOnly = true);
        var id = await app.Scheduler.ScheduleTaskAsync(TimeSpan.FromHours(1), new Invoice("RO", 1m));
        var local = id["invoice/".Length..];
        var before = await app.SnapshotAsync();

        HttpResponseMessage[] changes =
        [
            await app.PostAsync("/scheduler/api/tasks/invoice", new { payload = new { number = "X", amount = 1 } }),
            await app.Client.DeleteAsync($"/scheduler/api/tasks/invoice/{local}"),
            await app.PostAsync($"/scheduler/api/tasks/invoice/{local}/reschedule", new { dueAt = DateTimeOffset.UtcNow }),
            await app.PostAsync($"/scheduler/api/tasks/invoice/{local}/run-now"),
            await app.PostAsync("/scheduler/api/dead-letters/doomed/requeue-all"),
            await app.PostAsync("/scheduler/api/dead-letters/doomed/c1/requeue"),
            await app.Client.DeleteAsync("/scheduler/api/dead-letters/doomed/c1"),
            await app.PostAsync("/scheduler/api/recurring/invoice/x/trigger"),
            await app.PostAsync("/scheduler/api/recurring/invoice/x/pause"),
            await app.PostAsync("/scheduler/api/recurring/invoice/x/resume"),
            await app.Client.DeleteAsync("/scheduler/api/recurring/invoice/x"),
        ];

        Assert.That(changes.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await changes[0].Content.ReadAsStringAsync(), Does.Contain("read-only"));
        Assert.That(await app.SnapshotAsync(), Is.EqualTo(before), "nothing changed");
        Assert.That((await app.Client.GetAsync($"/scheduler/api/tasks/invoice/{local}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("Sec-Fetch-Site", "cross-site", "application/json")]
    [TestCase("Sec-Fetch-Site", "same-site", "application/json")]
    [TestCase("Origin", "https://evil.example", "application/json")]
    [TestCase("Origin", "null", "application/json")]
    [TestCase(null, null, "application/x-www-form-urlencoded")]
    [TestCase(null, null, "text/plain")]
    public async Task CrossSiteChange_Refused403_AndWritesNothing(string? header, string? value, string contentType)
    {
        await using var app = await DashboardApp.StartAsync();
        var before = await app.SnapshotAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/scheduler/api/tasks/invoice")
        {
            Content = new StringContent("""{ "payload": { "number": "X", "amount": 1 } }""", null, contentType),
        };
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        var response = await app.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), await response.Content.ReadAsStringAsync());
        Assert.That(await app.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task SameOriginChange_WithFetchMetadata_IsServed()
    {
        await using var app = await DashboardApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/scheduler/api/tasks/invoice") { Content = JsonContent.Create(new { payload = new { number = "X", amount = 1 } }) };
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        request.Headers.Add("Origin", "http://localhost");

        Assert.That((await app.Client.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task CrossSiteDelete_Refused403()
    {
        await using var app = await DashboardApp.StartAsync();
        var id = await app.Scheduler.ScheduleTaskAsync(TimeSpan.FromHours(1), new Invoice("D", 1m));
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/scheduler/api/tasks/{id}");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        Assert.That((await app.Client.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await app.Scheduler.GetTaskAsync(id), Is.Not.Null);
    }
}
