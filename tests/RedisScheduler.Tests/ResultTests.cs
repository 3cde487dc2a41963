using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

[TestFixtureSource(typeof(RedisTarget), nameof(RedisTarget.Names))]
public sealed class ResultTests(string redis)
{
    [Test]
    public async Task WaitForCompletionAsync_HandlerWithResult_ReturnsItWhenTheTaskEnds()
    {
        await using var scope = new TestScope(redis);
        using var host = await StartAsync(scope);
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var id = await scheduler.ScheduleTaskAsync(TimeSpan.FromMilliseconds(300), new Doubling(21));

        var clock = Stopwatch.StartNew();
        var completion = await scheduler.WaitForCompletionAsync(id, TimeSpan.FromSeconds(20));

        Assert.That(completion.Outcome, Is.EqualTo(TaskOutcome.Succeeded));
        Assert.That(completion.GetResult<int>(), Is.EqualTo(42));
        Assert.That(completion.TaskId, Is.EqualTo(id));
        // Woken by the worker's announcement: with only the one-second fallback check it would take longer.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(950)));
        Assert.That(await scheduler.GetTaskAsync(id), Is.Null, "the task itself is gone; only its result is kept");
    }

    [Test]
    public async Task WaitForCompletionAsync_AlreadyFinished_ReturnsAtOnce()
    {
        await using var scope = new TestScope(redis);
        using var host = await StartAsync(scope);
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var id = await scheduler.EnqueueTaskAsync(new Doubling(5));
        await scheduler.WaitForCompletionAsync(id, TimeSpan.FromSeconds(20));

        var again = await scheduler.WaitForCompletionAsync(id, TimeSpan.Zero);

        Assert.That(again.GetResult<int>(), Is.EqualTo(10));
    }

    [Test]
    public async Task WaitForCompletionAsync_DeadLetteredOrPlainOrCancelled_SaysHowItEnded()
    {
        await using var scope = new TestScope(redis);
        using var host = await StartAsync(scope);
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();

        var failing = await scheduler.EnqueueTaskAsync(new Doubling(-1));
        var plain = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        var cancelled = await scheduler.ScheduleTaskAsync(TimeSpan.FromMinutes(5), new Doubling(1));
        var waitForCancelled = scheduler.WaitForCompletionAsync(cancelled, TimeSpan.FromSeconds(20));
        await scheduler.CancelAsync(cancelled);

        var dead = await scheduler.WaitForCompletionAsync(failing, TimeSpan.FromSeconds(20));
        var finished = await scheduler.WaitForCompletionAsync(plain, TimeSpan.FromSeconds(20));

        Assert.That(dead.Outcome, Is.EqualTo(TaskOutcome.DeadLettered));
        Assert.That(dead.Error!.Message, Does.Contain("negative"));
        Assert.That(finished.Outcome, Is.EqualTo(TaskOutcome.Finished));
        Assert.That((await waitForCancelled).Outcome, Is.EqualTo(TaskOutcome.Finished));
        Assert.Throws<InvalidOperationException>(() => finished.GetResult<int>());
    }

    [Test]
    public async Task ScheduleTaskOnceAsync_KeyReusedAfterItsResult_WaitsForTheNewRun()
    {
        await using var scope = new TestScope(redis);
        using var host = await StartAsync(scope);
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var first = await scheduler.ScheduleTaskOnceAsync("k", DateTimeOffset.UtcNow, new Doubling(1));
        Assert.That((await scheduler.WaitForCompletionAsync(first.TaskId, TimeSpan.FromSeconds(20))).GetResult<int>(), Is.EqualTo(2));

        var second = await scheduler.ScheduleTaskOnceAsync("k", DateTimeOffset.UtcNow.AddMilliseconds(300), new Doubling(50));

        Assert.That(second.Created, Is.True);
        Assert.That((await scheduler.WaitForCompletionAsync(second.TaskId, TimeSpan.FromSeconds(20))).GetResult<int>(), Is.EqualTo(100), "not the first run's result");
    }

    [Test]
    public async Task WaitForCompletionAsync_NullResult_IsASuccess()
    {
        await using var scope = new TestScope(redis);
        using var host = await StartAsync(scope);
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var id = await scheduler.EnqueueTaskAsync(new Doubling(0));

        var completion = await scheduler.WaitForCompletionAsync(id, TimeSpan.FromSeconds(20));

        Assert.That(completion.Outcome, Is.EqualTo(TaskOutcome.Succeeded));
        Assert.That(completion.GetResult<object>(), Is.Null);
    }

    [Test]
    public async Task WaitForCompletionAsync_TaskNotDueInTime_Throws()
    {
        await using var scope = new TestScope(redis);
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.ScheduleTaskAsync(TimeSpan.FromMinutes(5), new Doubling(1));

        Assert.ThrowsAsync<TimeoutException>(() => scheduler.WaitForCompletionAsync(id, TimeSpan.FromMilliseconds(200)));

        // The waiter leaves without holding up the caller (its leave is sent, not awaited), so Redis
        // is polled for it, bounded well inside the waiter count's own expiry.
        var waiters = scope.Keys("doubler").Waiters;
        var bound = DateTime.UtcNow.AddSeconds(5);
        while (await scope.Database.KeyExistsAsync(waiters) && DateTime.UtcNow < bound)
        {
            await Task.Delay(10);
        }

        Assert.That(await scope.Database.KeyExistsAsync(waiters), Is.False, "the waiter left");
    }

    [Test]
    public async Task Result_TooLarge_DeadLettersTheTask()
    {
        await using var scope = new TestScope(redis);
        using var host = await StartAsync(scope, o => o.MaxPayloadBytes = 1_000);
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var id = await scheduler.EnqueueTaskAsync(new Doubling(1_000_000));

        var completion = await scheduler.WaitForCompletionAsync(id, TimeSpan.FromSeconds(20));

        Assert.That(completion.Outcome, Is.EqualTo(TaskOutcome.DeadLettered));
        Assert.That(completion.Error!.Message, Does.Contain("cannot be stored"));
    }

    [Test]
    public async Task Results_OlderThanRetention_AreSwept()
    {
        await using var scope = new TestScope(redis);
        using var host = await StartAsync(scope, o => o.ResultRetention = TimeSpan.FromSeconds(1));
        var scheduler = host.Services.GetRequiredService<ITaskScheduler>();
        var id = await scheduler.EnqueueTaskAsync(new Doubling(2));
        await scheduler.WaitForCompletionAsync(id, TimeSpan.FromSeconds(20));

        // Workers sweep at most once per retention period, in a claim; tasks keep them claiming.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await scope.Database.KeyExistsAsync(scope.Keys("doubler").Results) && DateTime.UtcNow < deadline)
        {
            await scheduler.EnqueueTaskAsync(new Doubling(0));
            await Task.Delay(200);
        }

        Assert.That((await scheduler.WaitForCompletionAsync(id, TimeSpan.Zero)).Outcome, Is.EqualTo(TaskOutcome.Finished));
    }

    private static async Task<IHost> StartAsync(TestScope scope, Action<RedisSchedulerOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new TaskProbe()).AddSingleton(new WorkerName("A"));
        builder.Services.AddRedisScheduler(o =>
        {
            scope.Configure(o);
            o.Retry.MaxAttempts = 1;
            configure?.Invoke(o);
        }).AddTaskHandler<DoublingHandler>().AddTaskHandler<ProbeHandler>();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    [TaskType("doubler")] // slot 9900: on another master than probe (5258) and join (15097) on the test cluster
    public sealed record Doubling(int Number);

    public sealed class DoublingHandler : TaskHandler<Doubling, object>
    {
        protected override Task<object> HandleAsync(Doubling payload, TaskContext context, CancellationToken cancellationToken)
            => payload.Number switch
            {
                < 0 => throw new ArgumentOutOfRangeException(nameof(payload), "A negative number cannot be doubled here."),
                >= 1_000_000 => Task.FromResult<object>(new string('x', payload.Number)),
                0 => Task.FromResult<object>(null!),
                _ => Task.FromResult<object>(payload.Number * 2),
            };
    }
}
