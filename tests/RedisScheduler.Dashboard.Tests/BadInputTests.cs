using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests;

/// <summary>Each kind of bad input gets 400 or 404 Problem Details saying what to fix, and nothing is written to Redis.</summary>
public sealed class BadInputTests
{
    private static DashboardApp app = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => app = await DashboardApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await app.DisposeAsync();

    private static IEnumerable<TestCaseData> BadSchedules()
    {
        yield return Case("unknown type", "/scheduler/api/tasks/no-such-type", """{ "payload": { "number": "1", "amount": 1 } }""", HttpStatusCode.NotFound, "registered no payload class");
        yield return Case("malformed type", "/scheduler/api/tasks/bad%20type", """{ "payload": {} }""", HttpStatusCode.BadRequest, "not a task type name");
        yield return Case("body not JSON", "/scheduler/api/tasks/invoice", """{ "payload": """, HttpStatusCode.BadRequest, "not valid JSON");
        yield return Case("unknown body field", "/scheduler/api/tasks/invoice", """{ "payload": {}, "when": 1 }""", HttpStatusCode.BadRequest, "not valid JSON");
        yield return Case("no payload", "/scheduler/api/tasks/invoice", """{ "dueAt": "2030-01-01T00:00:00Z" }""", HttpStatusCode.BadRequest, "no payload");
        yield return Case("payload of the wrong shape", "/scheduler/api/tasks/invoice", """{ "payload": { "number": 1, "amount": "lots" } }""", HttpStatusCode.BadRequest, "not a valid Invoice");
        yield return Case("payload null", "/scheduler/api/tasks/invoice", """{ "payload": null }""", HttpStatusCode.BadRequest, "no payload");
        yield return Case("due time too far", "/scheduler/api/tasks/invoice", """{ "payload": { "number": "1", "amount": 1 }, "dueAt": "9999-01-01T00:00:00Z" }""", HttpStatusCode.BadRequest, "out of range");
        yield return Case("due time before 1970", "/scheduler/api/tasks/invoice", """{ "payload": { "number": "1", "amount": 1 }, "dueAt": "1900-01-01T00:00:00Z" }""", HttpStatusCode.BadRequest, "out of range");
        yield return Case("due time not a time", "/scheduler/api/tasks/invoice", """{ "payload": { "number": "1", "amount": 1 }, "dueAt": "tomorrow" }""", HttpStatusCode.BadRequest, "dueAt");
        yield return Case("unknown priority", "/scheduler/api/tasks/invoice", """{ "payload": { "number": "1", "amount": 1 }, "priority": "urgent" }""", HttpStatusCode.BadRequest, "high, normal or low");
        yield return Case("reschedule without dueAt", "/scheduler/api/tasks/invoice/c1/reschedule", "{}", HttpStatusCode.BadRequest, "no dueAt");
        yield return Case("reschedule too far", "/scheduler/api/tasks/invoice/c1/reschedule", """{ "dueAt": "9999-01-01T00:00:00Z" }""", HttpStatusCode.BadRequest, "out of range");
        yield return Case("reschedule unknown task", "/scheduler/api/tasks/invoice/c1/reschedule", """{ "dueAt": "2030-01-01T00:00:00Z" }""", HttpStatusCode.NotFound, "No pending task");
        yield return Case("run-now malformed id", "/scheduler/api/tasks/invoice/a%7Cb/run-now", "", HttpStatusCode.BadRequest, "local id");
        yield return Case("requeue-all unknown type", "/scheduler/api/dead-letters/no-such-type/requeue-all", "", HttpStatusCode.NotFound, "No task type");
        yield return Case("trigger unknown schedule", "/scheduler/api/recurring/invoice/nope/trigger", "", HttpStatusCode.NotFound, "no recurring schedule");
        yield return Case("pause malformed name", "/scheduler/api/recurring/invoice/a%7Cb/pause", "", HttpStatusCode.BadRequest, "schedule's name");
    }

    private static IEnumerable<TestCaseData> BadReads()
    {
        yield return Read("unknown state", "/scheduler/api/tasks?type=invoice&state=lost", HttpStatusCode.BadRequest, "not a state");
        yield return Read("count zero", "/scheduler/api/tasks?type=invoice&count=0", HttpStatusCode.BadRequest, "count '0' is out of range");
        yield return Read("count too big", "/scheduler/api/tasks?type=invoice&count=501", HttpStatusCode.BadRequest, "1 to 500");
        yield return Read("offset negative", "/scheduler/api/tasks?type=invoice&offset=-1", HttpStatusCode.BadRequest, "offset '-1'");
        yield return Read("offset not a number", "/scheduler/api/tasks?type=invoice&offset=abc", HttpStatusCode.BadRequest, "offset 'abc'");
        yield return Read("no type", "/scheduler/api/tasks", HttpStatusCode.BadRequest, "not a task type name");
        yield return Read("unknown type", "/scheduler/api/tasks?type=no-such-type", HttpStatusCode.NotFound, "No task type 'no-such-type'");
        yield return Read("malformed id", "/scheduler/api/tasks?id=no-slash", HttpStatusCode.BadRequest, "not a task id");
        yield return Read("unknown task", "/scheduler/api/tasks/invoice/c424242", HttpStatusCode.NotFound, "No pending task");
        yield return Read("malformed local id", "/scheduler/api/tasks/invoice/a%7Cb", HttpStatusCode.BadRequest, "local id");
        yield return Read("dead letters of unknown type", "/scheduler/api/dead-letters/no-such-type", HttpStatusCode.NotFound, "No task type");
        yield return Read("dead letters count too big", "/scheduler/api/dead-letters/invoice?count=1000", HttpStatusCode.BadRequest, "count");
        yield return Read("recurring of unknown type", "/scheduler/api/recurring/no-such-type", HttpStatusCode.NotFound, "No task type");
    }

    [TestCaseSource(nameof(BadSchedules))]
    public async Task Change_BadInput_GetsProblemDetails_AndWritesNothing(string path, string body, HttpStatusCode expected, string says)
    {
        var before = await app.SnapshotAsync();

        var response = await app.Client.PostAsync(path, DashboardApp.Json(body));

        await AssertProblemAsync(response, expected, says);
        Assert.That(await app.SnapshotAsync(), Is.EqualTo(before), "nothing written to Redis");
    }

    [TestCaseSource(nameof(BadReads))]
    public async Task Read_BadInput_GetsProblemDetails(string path, HttpStatusCode expected, string says)
        => await AssertProblemAsync(await app.Client.GetAsync(path), expected, says);

    [Test]
    public async Task Delete_UnknownOrMalformed_GetsProblemDetails_AndWritesNothing()
    {
        var before = await app.SnapshotAsync();

        await AssertProblemAsync(await app.Client.DeleteAsync("/scheduler/api/tasks/invoice/c99"), HttpStatusCode.NotFound, "No pending task");
        await AssertProblemAsync(await app.Client.DeleteAsync("/scheduler/api/dead-letters/invoice/c99"), HttpStatusCode.NotFound, "not a dead letter");
        await AssertProblemAsync(await app.Client.DeleteAsync("/scheduler/api/recurring/invoice/nope"), HttpStatusCode.NotFound, "no recurring schedule");
        await AssertProblemAsync(await app.Client.DeleteAsync("/scheduler/api/tasks/bad%20type/c1"), HttpStatusCode.BadRequest, "task type name");

        Assert.That(await app.SnapshotAsync(), Is.EqualTo(before));
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string says)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo((int)expected));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(says), text);
    }

    private static TestCaseData Case(string name, string path, string body, HttpStatusCode expected, string says)
        => new TestCaseData(path, body, expected, says).SetArgDisplayNames(name);

    private static TestCaseData Read(string name, string path, HttpStatusCode expected, string says)
        => new TestCaseData(path, expected, says).SetArgDisplayNames(name);
}
