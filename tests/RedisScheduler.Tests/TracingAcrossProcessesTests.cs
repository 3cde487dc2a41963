using System.Diagnostics;
using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

/// <summary>
/// The trace context crosses a process boundary with the task: scheduled here under a request's
/// activity, handled by a separate worker process (tests/RedisScheduler.TestWorker, which listens
/// to the library's ActivitySource and prints its handler span's trace id and parent).
/// </summary>
[NonParallelizable]
public sealed class TracingAcrossProcessesTests
{
    private const string RequestsName = "RedisScheduler.Tests.CrossProcessRequests";

    private static readonly ActivitySource Requests = new(RequestsName);

    [Test]
    public async Task HandlerSpan_InAnotherProcess_ContinuesTheSchedulersTraceAsChildOfTheSendSpan()
    {
        var sends = new List<Activity>();
        using var listener = new ActivityListener
        {
            // By name: the static source may be created while this listener is being added.
            ShouldListenTo = source => source.Name is RedisSchedulerDiagnostics.ActivitySourceName or RequestsName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Kind == ActivityKind.Producer)
                {
                    lock (sends)
                    {
                        sends.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var scope = new TestScope();
        string id;
        ActivityTraceId requestTrace;
        using (var request = Requests.StartActivity("request"))
        {
            requestTrace = request!.TraceId;
            id = await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1));
        }

        Activity send;
        lock (sends)
        {
            send = sends.Single(s => (string?)s.GetTagItem("messaging.message.id") == id);
        }

        using var worker = FaultTests.StartTestWorker(scope, 30_000);
        string traceLine;
        try
        {
            traceLine = await FaultTests.ReadLineStartingWithAsync(worker, "TRACE", TimeSpan.FromSeconds(60));
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }

        Assert.That(traceLine, Is.EqualTo($"TRACE {id} {requestTrace} {send.SpanId}"), "the other process's handler span is in the request's trace, a child of the send span");
    }
}
