using NUnit.Framework;
using RedisScheduler.Handling;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>Failures a code review found, each proven by a test before it was fixed.</summary>
public sealed class ReviewFindingTests
{
    [Test]
    public void ErrorJson_HugeExceptionMessage_IsBounded()
    {
        var json = TaskErrorJson.From(new InvalidOperationException(new string('x', 2_000_000)));

        Assert.That(json.Length, Is.LessThan(TaskErrorJson.MaxMessageLength + TaskErrorJson.MaxStackTraceLength + 200));
    }

    [Test]
    public void RunningTask_StopWithAHandlerCallbackThatThrows_DoesNotThrow_SoTheWorkerGoesOnStoppingOthers()
    {
        using var run = new RunningTask(new ClaimedTask("a1", "2", new TaskRecord(1, 0, 0, ReadOnlyMemory<byte>.Empty)));
        run.Token.Register(() => throw new InvalidOperationException("a handler's own callback failed"));

        Assert.DoesNotThrow(run.Stop);
        Assert.That(run.Token.IsCancellationRequested, Is.True);
    }

    [Test]
    public async Task Shutdown_ReleasedTask_IsPickedUpByIdleInstanceAtOnce()
    {
        await using var scope = new TestScope();
        var probe = new TaskProbe();
        void Options(RedisSchedulerOptions o)
        {
            o.LeaseDuration = TimeSpan.FromSeconds(60);
            o.MaxIdleDelay = TimeSpan.FromMinutes(5);
        }

        var (hostA, _) = await scope.StartWorkerAsync("A", configure: Options, probe: probe);
        await scope.CreateScheduler().EnqueueTaskAsync(new ProbeTask(1, ProbeBehavior.WaitUntilCancelled));
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(20));
        await scope.StartWorkerAsync("B", configure: Options, probe: probe);
        // Give B time to make its first claim and go to sleep until A's lease expiry; there is no
        // event for "B is asleep", and if it were not yet, the test would pass without the wake-up.
        await Task.Delay(500);

        await hostA.StopAsync();
        await probe.WaitForAsync(2, TimeSpan.FromSeconds(10));

        Assert.That(probe.Handled[1].Host, Is.EqualTo("B"));
    }
}
