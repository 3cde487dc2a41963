using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests;

/// <summary><c>api/timeline</c>, <c>api/stats</c> and the clocks of <c>api/health</c>, in the shape the pages read.</summary>
public sealed class ChartApiTests
{
    [Test]
    public async Task Timeline_CountsTasksInTheirMinuteAndHour_ForEveryTypeOrOne()
    {
        await using var app = await DashboardApp.StartAsync();
        await app.Scheduler.ScheduleTaskAsync(DateTimeOffset.UtcNow.AddMinutes(-5), new Invoice("late", 1m)); // already due: minute 0
        await app.Scheduler.ScheduleTaskAsync(TimeSpan.FromMinutes(61), new Invoice("next hour", 1m));
        await app.Scheduler.ScheduleTaskAsync(TimeSpan.FromHours(30), new Invoice("tomorrow", 1m));

        var all = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/timeline");
        var one = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/timeline?type=invoice");

        var now = all.GetProperty("now").GetDateTimeOffset();
        Assert.That(now, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromSeconds(5)));
        Assert.That(all.GetProperty("now").GetString(), Does.EndWith("Z"), "ISO 8601 UTC");
        Assert.That(all.GetProperty("types").EnumerateArray().Select(t => t.GetProperty("type").GetString()), Is.EquivalentTo(new[] { "doomed", "invoice" }));
        var invoice = one.GetProperty("types").EnumerateArray().Single();
        var minutes = invoice.GetProperty("minutes").EnumerateArray().Select(m => m.GetInt64()).ToArray();
        var hours = invoice.GetProperty("hours").EnumerateArray().Select(h => h.GetInt64()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(invoice.GetProperty("type").GetString(), Is.EqualTo("invoice"));
            Assert.That(minutes, Has.Length.EqualTo(60));
            Assert.That(hours, Has.Length.EqualTo(24));
            Assert.That(minutes[0], Is.EqualTo(1), "the task already due");
            Assert.That(minutes.Sum(), Is.EqualTo(1), "61 minutes away is past the last minute");
            Assert.That(hours[0] + hours[1] + hours[2], Is.EqualTo(2), "tomorrow's is past the last hour");
            Assert.That(hours.Sum(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Stats_AfterTasksFailed_ShowsSixtyMinutesOldestFirst_WithNullLatenessWhereNone()
    {
        await using var app = await DashboardApp.StartAsync();
        await app.Scheduler.EnqueueTaskAsync(new Doomed(1));
        await app.Scheduler.EnqueueTaskAsync(new Doomed(2));
        var monitor = app.Services.GetRequiredService<ITaskMonitor>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await monitor.GetCountsAsync("doomed")).DeadLettered < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var stats = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/stats?type=doomed");

        var minutes = stats.GetProperty("types")[0].GetProperty("minutes").EnumerateArray().ToList();
        var starts = minutes.Select(m => m.GetProperty("minute").GetDateTimeOffset()).ToList();
        var now = stats.GetProperty("now").GetDateTimeOffset();
        Assert.Multiple(() =>
        {
            Assert.That(minutes, Has.Count.EqualTo(60));
            Assert.That(starts, Is.Ordered);
            Assert.That(starts[^1], Is.LessThanOrEqualTo(now).And.GreaterThan(now.AddMinutes(-1)), "the last is the current minute");
            Assert.That(minutes.Sum(m => m.GetProperty("failed").GetInt64()), Is.EqualTo(2));
            Assert.That(minutes.Sum(m => m.GetProperty("succeeded").GetInt64()), Is.Zero);
            Assert.That(minutes[0].GetProperty("latenessAvgMs").ValueKind, Is.EqualTo(JsonValueKind.Null), "written as null, not left out");
            Assert.That(minutes[0].GetProperty("latenessMaxMs").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(minutes.Where(m => m.GetProperty("failed").GetInt64() > 0).Select(m => m.GetProperty("latenessMaxMs").ValueKind), Has.All.EqualTo(JsonValueKind.Number));
        });
    }

    [TestCase("/scheduler/api/timeline?type=no-such-type", HttpStatusCode.NotFound, "No task type 'no-such-type'")]
    [TestCase("/scheduler/api/stats?type=no-such-type", HttpStatusCode.NotFound, "No task type 'no-such-type'")]
    [TestCase("/scheduler/api/timeline?type=bad%20type", HttpStatusCode.BadRequest, "not a task type name")]
    [TestCase("/scheduler/api/stats?type=", HttpStatusCode.BadRequest, "not a task type name")]
    public async Task TimelineAndStats_BadType_GetProblemDetails(string path, HttpStatusCode expected, string says)
    {
        await using var app = await DashboardApp.StartAsync();

        var response = await app.Client.GetAsync(path);

        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(text, Does.Contain(says));
    }

    [Test]
    public async Task Health_ShowsTheAppsClockBesideTheServers()
    {
        var app = await DashboardApp.StartAsync(time: new ShiftedClock(TimeSpan.FromMinutes(-3)));
        await using (app)
        {
            var health = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/health");

            var server = health.GetProperty("serverTime").GetDateTimeOffset();
            Assert.That(server, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromSeconds(5)), "Redis's clock");
            Assert.That(health.GetProperty("appTime").GetDateTimeOffset(), Is.EqualTo(server.AddMinutes(-3)).Within(TimeSpan.FromSeconds(5)), "the app's TimeProvider");
            Assert.That(health.GetProperty("clockOffsetMs").GetDouble(), Is.EqualTo(-180_000).Within(5_000));
        }
    }
}

/// <summary>The system clock, shifted: an app whose clock is off from the Redis server's. Timers run as usual.</summary>
internal sealed class ShiftedClock(TimeSpan shift) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
}
