using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using OpenTelemetry;
using OpenTelemetry.Trace;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

/// <summary>
/// Spans collected with the OpenTelemetry SDK: the trace context travels with the task in Redis from
/// the scheduling call to a worker host of its own (another service provider and connection, in this
/// process: the SDK's in-memory exporter must see both sides).
/// </summary>
[NonParallelizable]
public sealed class TracingTests
{
    private static readonly ActivitySource Requests = new("RedisScheduler.Tests.Requests");

    private static TracerProvider Collect(SpanList spans) => Sdk.CreateTracerProviderBuilder()
        .AddSource(RedisSchedulerDiagnostics.ActivitySourceName, Requests.Name)
        .SetSampler(new AlwaysOnSampler())
        .AddInMemoryExporter(spans)
        .Build();

    [Test]
    public async Task ProcessSpan_TaskScheduledUnderARequest_ContinuesTheRequestsTraceAsChildOfTheSendSpan()
    {
        var spans = new SpanList();
        using var tracing = Collect(spans);
        await using var scope = new TestScope();
        var (_, probe) = await scope.StartWorkerAsync("worker");
        var scheduler = scope.CreateScheduler();
        string id;
        ActivityTraceId traceId;
        using (var request = Requests.StartActivity("request"))
        {
            request!.AddBaggage("tenant", "a|b~c^d%e");
            traceId = request.TraceId;
            id = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        }

        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));
        var process = (await spans.WaitForAsync("process probe")).Single();
        var send = spans.Snapshot().Single(s => s.DisplayName == "send probe");

        Assert.Multiple(() =>
        {
            Assert.That(send.Kind, Is.EqualTo(ActivityKind.Producer));
            Assert.That(send.TraceId, Is.EqualTo(traceId));
            Assert.That(send.GetTagItem("messaging.system"), Is.EqualTo("redis_scheduler"));
            Assert.That(send.GetTagItem("messaging.operation.name"), Is.EqualTo("send"));
            Assert.That(send.GetTagItem("messaging.operation.type"), Is.EqualTo("send"));
            Assert.That(send.GetTagItem("messaging.destination.name"), Is.EqualTo("probe"));
            Assert.That(send.GetTagItem("messaging.message.id"), Is.EqualTo(id));

            Assert.That(process.Kind, Is.EqualTo(ActivityKind.Consumer));
            Assert.That(process.TraceId, Is.EqualTo(traceId), "one trace from the request to the handler");
            Assert.That(process.ParentSpanId, Is.EqualTo(send.SpanId), "a child of the send span");
            Assert.That(process.GetTagItem("messaging.system"), Is.EqualTo("redis_scheduler"));
            Assert.That(process.GetTagItem("messaging.operation.name"), Is.EqualTo("process"));
            Assert.That(process.GetTagItem("messaging.operation.type"), Is.EqualTo("process"));
            Assert.That(process.GetTagItem("messaging.destination.name"), Is.EqualTo("probe"));
            Assert.That(process.GetTagItem("messaging.message.id"), Is.EqualTo(id));
            Assert.That(process.GetTagItem(RedisSchedulerDiagnostics.AttemptTag), Is.EqualTo(1));
            Assert.That(process.GetTagItem(RedisSchedulerDiagnostics.DueAtTag), Is.TypeOf<string>());
            Assert.That(process.GetTagItem(RedisSchedulerDiagnostics.LatenessTag), Is.TypeOf<double>().And.GreaterThanOrEqualTo(0).And.LessThan(10));
            Assert.That(process.GetBaggageItem("tenant"), Is.EqualTo("a|b~c^d%e"), "baggage travels too, separators and all");
            Assert.That(process.Status, Is.EqualTo(ActivityStatusCode.Unset));
        });
    }

    [Test]
    public async Task ProcessSpan_LinkToSchedulingTrace_StartsANewTraceLinkedToTheSendSpan()
    {
        var spans = new SpanList();
        using var tracing = Collect(spans);
        await using var scope = new TestScope();
        var (_, probe) = await scope.StartWorkerAsync("worker", handler: o => o.LinkToSchedulingTrace = true);
        using (Requests.StartActivity("request"))
        {
            await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1));
        }

        var process = (await spans.WaitForAsync("process probe")).Single();
        var send = spans.Snapshot().Single(s => s.DisplayName == "send probe");

        Assert.That(process.TraceId, Is.Not.EqualTo(send.TraceId));
        Assert.That(process.ParentSpanId, Is.EqualTo(default(ActivitySpanId)));
        Assert.That(process.Links.Select(l => (l.Context.TraceId, l.Context.SpanId)), Is.EqualTo(new[] { (send.TraceId, send.SpanId) }));
    }

    [Test]
    public async Task ProcessSpan_RetriedTask_FailedAttemptHasErrorStatusAndTheRetryLinksToIt()
    {
        var spans = new SpanList();
        using var tracing = Collect(spans);
        await using var scope = new TestScope();
        // A retry 3 s later: measured from the first attempt's due time, its lateness would be 3 s or more.
        var (_, probe) = await scope.StartWorkerAsync("worker", configure: o => o.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(3), JitterFactor = 0 });
        using (Requests.StartActivity("request"))
        {
            await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.FailOnFirstAttempt));
        }

        var attempts = (await spans.WaitForAsync("process probe", 2)).OrderBy(s => s.GetTagItem(RedisSchedulerDiagnostics.AttemptTag)).ToList();
        var send = spans.Snapshot().Single(s => s.DisplayName == "send probe");
        var (first, second) = (attempts[0], attempts[1]);

        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(first.StatusDescription, Is.EqualTo("Failing the first attempt on purpose."));
            Assert.That(first.GetTagItem("error.type"), Is.EqualTo(typeof(InvalidOperationException).FullName));
            Assert.That(first.Events.Select(e => e.Name), Has.Member("exception"));
            Assert.That(second.GetTagItem(RedisSchedulerDiagnostics.AttemptTag), Is.EqualTo(2));
            Assert.That(second.Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(new[] { first.ParentSpanId, second.ParentSpanId }, Has.All.EqualTo(send.SpanId), "every attempt continues the scheduling trace");
            Assert.That(second.Links.Select(l => l.Context.SpanId), Is.EqualTo(new[] { first.SpanId }), "the retry links to the attempt that failed");
            Assert.That(second.GetTagItem(RedisSchedulerDiagnostics.LatenessTag), Is.TypeOf<double>().And.GreaterThanOrEqualTo(0).And.LessThan(2.5), "a retry's lateness is measured from its own due time");
        });
    }

    [Test]
    public async Task ProcessSpan_RecurringOccurrence_IsARootLinkedToTheCallThatDefinedTheSchedule()
    {
        var spans = new SpanList();
        using var tracing = Collect(spans);
        await using var scope = new TestScope();
        var (host, probe) = await scope.StartWorkerAsync("worker");
        ActivityContext definer;
        using (var request = Requests.StartActivity("request"))
        {
            definer = request!.Context;
            await host.Services.GetRequiredService<IRecurringTaskManager>().AddOrUpdateAsync("tick", "* * * * * *", new ProbeTask(7));
        }

        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));
        var process = (await spans.WaitForAsync("process probe"))[0];
        var manager = host.Services.GetRequiredService<IRecurringTaskManager>();
        var listed = await manager.ListAsync("probe");
        await manager.RemoveAsync("probe", "tick");

        Assert.Multiple(async () =>
        {
            Assert.That(listed.Select(s => s.Name), Is.EqualTo(new[] { "tick" }), "the link kept beside the definition is no schedule of its own");
            Assert.That(await scope.Database.HashLengthAsync(scope.Keys().Recurring), Is.Zero, "the link went with the schedule");
            Assert.That(process.TraceId, Is.Not.EqualTo(definer.TraceId), "each occurrence is a trace of its own, not one trace growing for as long as the schedule lives");
            Assert.That(process.ParentSpanId, Is.EqualTo(default(ActivitySpanId)));
            Assert.That(process.Links.Select(l => (l.Context.TraceId, l.Context.SpanId)), Is.EqualTo(new[] { (definer.TraceId, definer.SpanId) }), "linked to the call that defined the schedule");
        });
    }

    [Test]
    public async Task ScheduleTasksAsync_Batch_IsOneSendSpanWithTheCount_AndEveryTaskContinuesIt()
    {
        var spans = new SpanList();
        using var tracing = Collect(spans);
        await using var scope = new TestScope();
        var (_, probe) = await scope.StartWorkerAsync("worker");
        var now = DateTimeOffset.UtcNow;
        await scope.CreateScheduler().ScheduleTasksAsync(Enumerable.Range(0, 3).Select(i => (now, new ProbeTask(i))));

        var processed = await spans.WaitForAsync("process probe", 3);
        var send = spans.Snapshot().Single(s => s.DisplayName == "send probe");

        Assert.That(send.GetTagItem("messaging.batch.message_count"), Is.EqualTo(3));
        Assert.That(processed.Select(p => p.ParentSpanId), Has.All.EqualTo(send.SpanId));
    }

    [Test]
    public async Task TaskRecord_NoActivityCurrent_StoresNoTraceContext_AndWithOneStoresTheSendSpan()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var later = DateTimeOffset.UtcNow.AddHours(1);
        Assert.That(Activity.Current, Is.Null);
        var plain = TestScope.Parse(await scheduler.ScheduleTaskAsync(later, new ProbeTask(1))).LocalId;

        var spans = new SpanList();
        string traced;
        using (Collect(spans))
        {
            traced = TestScope.Parse(await scheduler.ScheduleTaskAsync(later, new ProbeTask(2))).LocalId;
        }

        var send = spans.Snapshot().Single(s => s.DisplayName == "send probe");
        var plainRecord = Encoding.UTF8.GetString((byte[])(await scope.Database.HashGetAsync(scope.Keys().Tasks, plain))!);
        var tracedRecord = Encoding.UTF8.GetString((byte[])(await scope.Database.HashGetAsync(scope.Keys().Tasks, traced))!);
        Assert.That(plainRecord, Does.Match(@"^s0\|\d+\|\d+\|\{""number"":1,""behavior"":""Complete""\}$").Or.Match(@"^s0\|\d+\|\d+\|\{""number"":1,""behavior"":0\}$"), "the format of earlier versions, byte for byte");
        Assert.That(tracedRecord, Does.Match($@"^s0\|\d+~00-{send.TraceId}-{send.SpanId}-0[0-9a-f]\|\d+\|"));
    }
}
