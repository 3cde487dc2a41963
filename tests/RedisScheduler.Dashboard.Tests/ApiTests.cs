using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests;

/// <summary>Every endpoint of the admin API, doing what it says, against real Redis.</summary>
public sealed class ApiTests
{
    [Test]
    public async Task Health_Types_Workers_ShowCountsAndTheLiveInstance()
    {
        await using var app = await DashboardApp.StartAsync();
        await app.Scheduler.ScheduleTaskAsync(TimeSpan.FromHours(1), new Invoice("A-1", 10m));

        var workers = await WaitForWorkerAsync(app);
        var health = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/health");
        var types = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/types");

        Assert.That(health.GetProperty("redis").GetString(), Is.EqualTo("reachable"));
        Assert.That(health.GetProperty("liveWorkers").GetInt32(), Is.EqualTo(1));
        var invoice = types.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "invoice");
        Assert.That(invoice.GetProperty("scheduled").GetInt64(), Is.EqualTo(1));
        Assert.That(invoice.GetProperty("canSchedule").GetBoolean(), Is.True);
        Assert.That(types.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("type").GetString()), Does.Contain("doomed"));
        Assert.That(workers.GetProperty("taskTypes")[0].GetProperty("taskType").GetString(), Is.EqualTo("doomed"));
        Assert.That(workers.GetProperty("heartbeatAgeMs").GetInt64(), Is.GreaterThanOrEqualTo(0));
        Assert.That(health.ToString() + types + workers, Does.Not.Contain(RedisServerFixture.Server.Configuration), "the connection string is never shown");
    }

    [Test]
    public async Task Workers_ListTheIdsOfTheTasksEachRunsNow_WithoutPayloads_UntilTheyEnd()
    {
        var gate = new StallGate();
        await using var app = await DashboardApp.StartAsync(
            o => o.ShowPayloads = false,
            services: s =>
            {
                s.AddSingleton(gate);
                s.AddRedisScheduler().AddTaskHandler<StalledHandler>();
                s.Configure<RedisSchedulerOptions>(o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(200));
            });
        var id = await app.Scheduler.EnqueueTaskAsync(new Stalled("SECRET-PAYLOAD"));
        await gate.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var running = await WaitForWorkerAsync(app, w => w.GetProperty("runningTasks").GetInt32() == 1);
        gate.Open.SetResult();
        var idle = await WaitForWorkerAsync(app, w => w.GetProperty("runningTaskIds").GetArrayLength() == 0);

        Assert.That(running.GetProperty("runningTaskIds").EnumerateArray().Select(i => i.GetString()), Is.EqualTo(new[] { id }));
        Assert.That(running.ToString(), Does.Not.Contain("SECRET-PAYLOAD"), "ids only: no payload, whatever ShowPayloads says");
        Assert.That(idle.GetProperty("runningTasks").GetInt32(), Is.Zero, "gone at the heartbeat after the task ended");
    }

    [Test]
    public async Task TaskOfAPartitionedType_IsShownRescheduledAndCancelledByItsId()
    {
        await using var app = await DashboardApp.StartAsync(services: s => s.AddRedisScheduler().PartitionTaskType<Invoice>(3));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await app.Scheduler.ScheduleTaskAsync(TimeSpan.FromHours(1), new Invoice("P-" + i, i)));
        }

        // Generated ids go round-robin: one of the three is in partition 1 or 2, "invoice#p/<local id>".
        var id = ids.First(i => i.StartsWith("invoice#", StringComparison.Ordinal));
        var path = "/scheduler/api/tasks/" + string.Join('/', id.Split('/').Select(Uri.EscapeDataString));

        var task = await app.Client.GetFromJsonAsync<JsonElement>(path);
        Assert.That(task.GetProperty("id").GetString(), Is.EqualTo(id));
        var later = DateTimeOffset.UtcNow.AddDays(1);
        Assert.That((await app.PostAsync(path + "/reschedule", new { dueAt = later })).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await app.Scheduler.GetTaskAsync(id))!.DueAt, Is.EqualTo(later).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That((await app.Client.DeleteAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await app.Scheduler.GetTaskAsync(id), Is.Null);
        Assert.That((await app.Client.GetAsync("/scheduler/api/tasks/invoice%23x/c1")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a partition is a number");
    }

    [Test]
    public async Task ScheduleTask_ThenGetListSearchRescheduleRunNowAndCancel()
    {
        await using var app = await DashboardApp.StartAsync();
        var dueAt = DateTimeOffset.UtcNow.AddHours(2);

        var created = await app.PostAsync("/scheduler/api/tasks/invoice", new { payload = new { number = "A-7", amount = 12.5 }, dueAt, priority = "high" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var localId = id["invoice/".Length..];

        var task = await app.Client.GetFromJsonAsync<JsonElement>($"/scheduler/api/tasks/invoice/{localId}");
        Assert.That(task.GetProperty("state").GetString(), Is.EqualTo("scheduled"));
        Assert.That(task.GetProperty("payload").GetProperty("number").GetString(), Is.EqualTo("A-7"));
        Assert.That(task.GetProperty("dueAt").GetDateTimeOffset(), Is.EqualTo(dueAt).Within(TimeSpan.FromMilliseconds(1)));

        var list = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/tasks?type=invoice&state=scheduled&offset=0&count=10");
        Assert.That(list.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()), Is.EqualTo(new[] { id }));
        var search = await app.Client.GetFromJsonAsync<JsonElement>($"/scheduler/api/tasks?id={Uri.EscapeDataString(id)}");
        Assert.That(search.GetProperty("items").GetArrayLength(), Is.EqualTo(1));
        var missing = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/tasks?id=invoice/c999999");
        Assert.That(missing.GetProperty("items").GetArrayLength(), Is.Zero);

        var later = dueAt.AddDays(1);
        Assert.That((await app.PostAsync($"/scheduler/api/tasks/invoice/{localId}/reschedule", new { dueAt = later })).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await app.Scheduler.GetTaskAsync(id))!.DueAt, Is.EqualTo(later).Within(TimeSpan.FromMilliseconds(1)));

        Assert.That((await app.PostAsync($"/scheduler/api/tasks/invoice/{localId}/run-now")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await app.Scheduler.GetTaskAsync(id))!.DueAt, Is.LessThanOrEqualTo(DateTimeOffset.UtcNow.AddSeconds(1)));

        Assert.That((await app.Client.DeleteAsync($"/scheduler/api/tasks/invoice/{localId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await app.Scheduler.GetTaskAsync(id), Is.Null);
        Assert.That((await app.Client.DeleteAsync($"/scheduler/api/tasks/invoice/{localId}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task ScheduleTask_WithoutDueAt_IsEnqueuedNow_AndSearchByOnceKeyFindsTaskScheduledOnce()
    {
        await using var app = await DashboardApp.StartAsync();
        var created = await app.PostAsync("/scheduler/api/tasks/invoice", new { payload = new { number = "B-1", amount = 1 } });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await app.Scheduler.ScheduleTaskOnceAsync("order-42", DateTimeOffset.UtcNow.AddHours(1), new Invoice("B-2", 2m));

        // Due now; moved to the ready list by a worker of the type, and this app runs none for invoices.
        var due = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/tasks?type=invoice&state=scheduled&count=1");
        var byKey = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/tasks?type=invoice&key=order-42");

        Assert.That(due.GetProperty("items")[0].GetProperty("id").GetString(), Is.EqualTo(id));
        Assert.That(due.GetProperty("items")[0].GetProperty("dueAt").GetDateTimeOffset(), Is.LessThanOrEqualTo(DateTimeOffset.UtcNow));
        Assert.That(byKey.GetProperty("items")[0].GetProperty("id").GetString(), Is.EqualTo("invoice/=order-42"));
    }

    [Test]
    public async Task DeadLetters_ListRequeueDelete_AndRequeueAll()
    {
        await using var app = await DashboardApp.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await app.Scheduler.EnqueueTaskAsync(new Doomed(i)));
        }

        var letters = await WaitForDeadLettersAsync(app, 3);
        Assert.That(letters.Select(l => l.GetProperty("id").GetString()), Is.EquivalentTo(ids));
        Assert.That(letters[0].GetProperty("error").GetProperty("message").GetString(), Does.StartWith("doomed"));
        Assert.That((await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/tasks?type=doomed&state=dead")).GetProperty("items").GetArrayLength(), Is.EqualTo(3));

        var first = ids[0]["doomed/".Length..];
        Assert.That((await app.Client.DeleteAsync($"/scheduler/api/dead-letters/doomed/{first}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await app.Client.DeleteAsync($"/scheduler/api/dead-letters/doomed/{first}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await app.PostAsync($"/scheduler/api/dead-letters/doomed/{ids[1]["doomed/".Length..]}/requeue")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var all = await app.PostAsync("/scheduler/api/dead-letters/doomed/requeue-all");
        Assert.That((await all.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requeued").GetInt64(), Is.InRange(0, 2), "one or two still dead, depending on how fast the requeued one failed again");
        Assert.That((await app.PostAsync("/scheduler/api/dead-letters/doomed/c999/requeue")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Recurring_ListTriggerPauseResumeRemove()
    {
        await using var app = await DashboardApp.StartAsync();
        var manager = app.Services.GetRequiredService<IRecurringTaskManager>();
        await manager.AddOrUpdateAsync("nightly", "0 3 * * *", new Invoice("R-1", 3m));

        var listed = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/recurring/invoice");
        Assert.That(listed.GetProperty("items")[0].GetProperty("cronExpression").GetString(), Is.EqualTo("0 3 * * *"));
        Assert.That(listed.GetProperty("items")[0].GetProperty("isPaused").GetBoolean(), Is.False);

        var triggered = await app.PostAsync("/scheduler/api/recurring/invoice/nightly/trigger");
        Assert.That(triggered.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var id = (await triggered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.That(JsonDocument.Parse((await app.Scheduler.GetTaskAsync(id))!.PayloadJson).RootElement.GetProperty("number").GetString(), Is.EqualTo("R-1"));

        Assert.That((await app.PostAsync("/scheduler/api/recurring/invoice/nightly/pause")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await manager.ListAsync("invoice")).Single().IsPaused, Is.True);
        Assert.That((await app.PostAsync("/scheduler/api/recurring/invoice/nightly/resume")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await manager.ListAsync("invoice")).Single().IsPaused, Is.False);
        Assert.That((await app.PostAsync("/scheduler/api/recurring/invoice/nope/pause")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        Assert.That((await app.Client.DeleteAsync("/scheduler/api/recurring/invoice/nightly")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await manager.ListAsync("invoice"), Is.Empty);
    }

    [Test]
    public async Task ShowPayloadsFalse_LeavesPayloadsOut()
    {
        await using var app = await DashboardApp.StartAsync(o => o.ShowPayloads = false);
        var id = await app.Scheduler.ScheduleTaskAsync(TimeSpan.FromHours(1), new Invoice("SECRET", 1m));

        var task = await app.Client.GetStringAsync($"/scheduler/api/tasks/invoice/{id["invoice/".Length..]}");
        var list = await app.Client.GetStringAsync("/scheduler/api/tasks?type=invoice");

        Assert.That(task + list, Does.Not.Contain("SECRET"));
        Assert.That(task, Does.Contain(id));
    }

    /// <summary>Polls api/workers (a heartbeat has no event to await) until the app's instance is listed as <paramref name="shows"/> wants, for at most 10 s.</summary>
    private static async Task<JsonElement> WaitForWorkerAsync(DashboardApp app, Func<JsonElement, bool>? shows = null)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(50))
        {
            var items = (await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/workers")).GetProperty("items");
            if ((items.GetArrayLength() > 0 && (shows is null || shows(items[0]))) || DateTime.UtcNow > deadline)
            {
                Assert.That(items.GetArrayLength(), Is.EqualTo(1), "the app's worker instance registered within 10 s");
                Assert.That(shows is null || shows(items[0]), $"the instance listed as expected within 10 s: {items[0]}");
                return items[0];
            }
        }
    }

    private static async Task<JsonElement[]> WaitForDeadLettersAsync(DashboardApp app, int count)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(20); ; await Task.Delay(50))
        {
            var items = (await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/dead-letters/doomed")).GetProperty("items");
            if (items.GetArrayLength() >= count || DateTime.UtcNow > deadline)
            {
                Assert.That(items.GetArrayLength(), Is.EqualTo(count), $"{count} tasks were dead-lettered within 20 s");
                return [.. items.EnumerateArray()];
            }
        }
    }
}
