using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

/// <summary>Every rejected input says what was wrong and how to fix it, and writes nothing to Redis.</summary>
public sealed class BadInputTests
{
    [Test]
    public async Task ScheduleTaskAsync_NullPayload_ThrowsAndWritesNothing()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();

        var error = Assert.ThrowsAsync<ArgumentNullException>(() => scheduler.ScheduleTaskAsync<ProbeTask>(DateTimeOffset.UtcNow, null!));

        Assert.That(error!.Message, Does.Contain("payload").And.Contain("null"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task ScheduleContinuationAsync_BadParentsOrPolicy_ThrowAndWriteNothing()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var join = new ContinuationTests.Join("x");

        Assert.ThrowsAsync<ArgumentNullException>(() => scheduler.ScheduleContinuationAsync(null!, join));
        var none = Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleContinuationAsync([], join));
        var tooMany = Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleContinuationAsync(Enumerable.Range(1, 10_001).Select(i => $"probe/c{i}"), join));
        var twice = Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleContinuationAsync(["probe/c1", "probe/c1"], join));
        var malformed = Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleContinuationAsync(["not an id"], join));
        var policy = Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => scheduler.ScheduleContinuationAsync(["probe/c1"], join, (ParentFailurePolicy)7));
        Assert.ThrowsAsync<ArgumentNullException>(() => scheduler.ScheduleContinuationAsync<ContinuationTests.Join>(["probe/c1"], null!));

        Assert.That(none!.Message, Does.Contain("0 parent task ids").And.Contain("1 to 10,000"));
        Assert.That(tooMany!.Message, Does.Contain("10001 parent task ids").And.Contain("split the work"));
        Assert.That(twice!.Message, Does.Contain("probe/c1").And.Contain("listed twice"));
        Assert.That(malformed!.Message, Does.Contain("not an id"));
        Assert.That(policy!.Message, Does.Contain("ParentFailurePolicy.Cancel"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task ScheduleBatchAsync_BadPayloads_ThrowAndWriteNothing()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var join = new ContinuationTests.Join("x");

        Assert.ThrowsAsync<ArgumentNullException>(() => scheduler.ScheduleBatchAsync<ProbeTask, ContinuationTests.Join>(null!, join));
        Assert.ThrowsAsync<ArgumentNullException>(() => scheduler.ScheduleBatchAsync([new ProbeTask(1), null!], join));
        Assert.ThrowsAsync<ArgumentNullException>(() => scheduler.ScheduleBatchAsync<ProbeTask, ContinuationTests.Join>([new ProbeTask(1)], null!));
        var tooMany = Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleBatchAsync(Enumerable.Range(1, 10_001).Select(i => new ProbeTask(i)), join));

        Assert.That(tooMany!.Message, Does.Contain("10001 payloads").And.Contain("1 to 10,000"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task ScheduleTaskAsync_PayloadThatCannotBeSerialized_ThrowsAndWritesNothing()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var loop = new SelfReferencing();
        loop.Next = loop;

        var error = Assert.ThrowsAsync<ArgumentException>(() => scheduler.EnqueueTaskAsync(loop));

        Assert.That(error!.Message, Does.Contain("cannot be serialized").And.Contain("JsonSerializerContext"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task ScheduleTaskAsync_PayloadOverLimit_ThrowsWithSizesAndWritesNothing()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler(o => o.MaxPayloadBytes = 100);

        var error = Assert.ThrowsAsync<ArgumentException>(() => scheduler.EnqueueTaskAsync(new Note(new string('x', 200))));

        Assert.That(error!.Message, Does.Contain("over the limit of 100 bytes").And.Contain("MaxPayloadBytes"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task ScheduleTasksAsync_OneBadPayloadInBatch_WritesNothing()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler(o => o.MaxPayloadBytes = 100);
        var tasks = Enumerable.Range(0, 1_000).Select(i => (DateTimeOffset.UtcNow, new Note(i == 999 ? new string('x', 200) : "ok")));

        Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleTasksAsync(tasks));

        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task ScheduleTaskAsync_GenericPayloadWithoutName_ThrowsWithHowToName()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();

        var error = Assert.ThrowsAsync<ArgumentException>(() => scheduler.EnqueueTaskAsync(new Wrapper<int>(1)));

        Assert.That(error!.Message, Does.Contain("[TaskType(").And.Contain("MapTaskType"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task ScheduleTaskAsync_InvalidTaskTypeAttribute_Throws()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();

        var error = Assert.ThrowsAsync<ArgumentException>(() => scheduler.EnqueueTaskAsync(new BadlyNamed()));

        Assert.That(error!.Message, Does.Contain("not a valid task type name"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [TestCase(-1L)]
    [TestCase(253_402_300_800L)]
    public async Task ScheduleTask_TimestampOutOfRange_ThrowsAndWritesNothing(long timestamp)
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.ScheduleTask(timestamp, new ProbeTask(1)));

        Assert.That(error!.Message, Does.Contain("Unix time in whole seconds"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [Test]
    public async Task ScheduleTaskAsync_NegativeDelay_ThrowsAndWritesNothing()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();

        var error = Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => scheduler.ScheduleTaskAsync(TimeSpan.FromSeconds(-1), new ProbeTask(1)));

        Assert.That(error!.Message, Does.Contain("EnqueueTaskAsync"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [TestCase("")]
    [TestCase("no-slash")]
    [TestCase("bad type/c1")]
    [TestCase("probe/")]
    public async Task CancelAndGet_MalformedTaskId_Throw(string taskId)
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();

        Assert.ThrowsAsync(Is.InstanceOf<ArgumentException>(), () => scheduler.CancelAsync(taskId));
        Assert.ThrowsAsync(Is.InstanceOf<ArgumentException>(), () => scheduler.GetTaskAsync(taskId));
    }

    [Test]
    public void MapTaskType_InvalidName_ThrowsAtRegistration()
    {
        var builder = new ServiceCollection().AddRedisScheduler(o => o.Configuration = "localhost");

        var error = Assert.Throws<ArgumentException>(() => builder.MapTaskType<Note>("has space"));

        Assert.That(error!.Message, Does.Contain("letters, digits"));
    }

    [Test]
    public void AddTaskHandler_NotATaskHandler_ThrowsAtRegistration()
    {
        var builder = new ServiceCollection().AddRedisScheduler(o => o.Configuration = "localhost");

        var error = Assert.Throws<ArgumentException>(() => builder.AddTaskHandler<NotAHandler>());

        Assert.That(error!.Message, Does.Contain("TaskHandler<TPayload>"));
    }

    [Test]
    public void HostStart_EmptyConfiguration_FailsWithHowToFix()
    {
        var error = StartHostExpectingFailure(o => o.Configuration = "", concurrency: 1);

        Assert.That(error.Message, Does.Contain("Configuration is empty").And.Contain("localhost:6379"));
    }

    [Test]
    public void HostStart_ZeroConcurrency_FailsWithHowToFix()
    {
        var error = StartHostExpectingFailure(o => o.Configuration = "localhost", concurrency: 0);

        Assert.That(error.Message, Does.Contain("Concurrency").And.Contain("from 1 to 1024"));
    }

    [TestCase("{tag}")]
    [TestCase("")]
    public void HostStart_InvalidKeyPrefix_FailsWithHowToFix(string prefix)
    {
        var error = StartHostExpectingFailure(o => { o.Configuration = "localhost"; o.KeyPrefix = prefix; }, concurrency: 1);

        Assert.That(error.Message, Does.Contain("KeyPrefix"));
    }

    [Test]
    public void HostStart_InvalidTimings_FailsListingEach()
    {
        var error = StartHostExpectingFailure(
            o =>
            {
                o.Configuration = "localhost";
                o.LeaseDuration = TimeSpan.Zero;
                o.MaxIdleDelay = TimeSpan.Zero;
                o.DispatchBatchSize = 0;
                o.MaxPayloadBytes = 0;
                o.WaitForReplicas = -1;
                o.WaitForReplicasTimeout = TimeSpan.Zero;
            },
            concurrency: 1);

        Assert.That(error.Message, Does.Contain("LeaseDuration").And.Contain("MaxIdleDelay").And.Contain("DispatchBatchSize").And.Contain("MaxPayloadBytes")
            .And.Contain("WaitForReplicas is -1").And.Contain("WaitForReplicasTimeout is 00:00:00"));
    }

    private static OptionsValidationException StartHostExpectingFailure(Action<RedisSchedulerOptions> configure, int concurrency)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new TaskProbe()).AddSingleton(new WorkerName("A"));
        builder.Services.AddRedisScheduler(configure).AddTaskHandler<ProbeHandler>(o => o.Concurrency = concurrency);
        using var host = builder.Build();
        return Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync())!;
    }

    public sealed class SelfReferencing
    {
        public SelfReferencing? Next { get; set; }
    }

    public sealed record Note(string Text);

    public sealed record Wrapper<T>(T Value);

    [TaskType("bad name!")]
    public sealed record BadlyNamed;

    public sealed class NotAHandler : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }
}
