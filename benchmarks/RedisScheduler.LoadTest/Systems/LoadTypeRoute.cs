using Microsoft.Extensions.DependencyInjection;
using RedisScheduler.LoadTest.Agent;

namespace RedisScheduler.LoadTest.Systems;

/// <summary>
/// One of the agent's task types (<see cref="LoadTaskTypes"/>): maps and partitions its payload type,
/// registers its handler, and schedules a <see cref="LoadOrder"/> as its own payload.
/// </summary>
internal interface ILoadTypeRoute
{
    void Register(RedisSchedulerBuilder builder, string name, int partitions, int? concurrency);

    Task ScheduleAsync(ITaskScheduler scheduler, LoadOrder order, DateTimeOffset dueAt);

    void Schedule(ITaskScheduler scheduler, LoadOrder order, long timestamp);

    Task ScheduleBatchAsync(ITaskScheduler scheduler, IEnumerable<(DateTimeOffset DueAt, LoadOrder Order)> tasks);
}

/// <inheritdoc cref="ILoadTypeRoute"/>
/// <param name="convert">The first type's is the identity, so the default single-type run schedules <see cref="LoadOrder"/> itself, as before.</param>
internal sealed class LoadTypeRoute<TPayload>(Func<LoadOrder, TPayload> convert) : ILoadTypeRoute
    where TPayload : ILoadOrder
{
    /// <summary>The routes of <paramref name="types"/> types, in the order of <see cref="LoadTaskTypes.Names"/>.</summary>
    public static ILoadTypeRoute[] For(int types) => [.. new ILoadTypeRoute[]
    {
        new LoadTypeRoute<LoadOrder>(o => o),
        new LoadTypeRoute<LoadOrderOf<SecondType>>(o => new(o.OrderId, o.Customer, o.Amount, o.Note)),
        new LoadTypeRoute<LoadOrderOf<ThirdType>>(o => new(o.OrderId, o.Customer, o.Amount, o.Note)),
    }.Take(types)];

    public void Register(RedisSchedulerBuilder builder, string name, int partitions, int? concurrency)
    {
        builder.MapTaskType<TPayload>(name);
        if (partitions > 1)
        {
            builder.PartitionTaskType<TPayload>(partitions);
        }

        if (concurrency is { } c)
        {
            builder.AddTaskHandler<LoadOrderHandler<TPayload>>(o => o.Concurrency = c);
        }
    }

    public Task ScheduleAsync(ITaskScheduler scheduler, LoadOrder order, DateTimeOffset dueAt)
        => scheduler.ScheduleTaskAsync(dueAt, convert(order));

    public void Schedule(ITaskScheduler scheduler, LoadOrder order, long timestamp)
        => scheduler.ScheduleTask(timestamp, convert(order));

    public Task ScheduleBatchAsync(ITaskScheduler scheduler, IEnumerable<(DateTimeOffset DueAt, LoadOrder Order)> tasks)
        => scheduler.ScheduleTasksAsync(tasks.Select(t => (t.DueAt, convert(t.Order))));
}

/// <summary>The no-op handler of each type: records that the task started, and returns.</summary>
internal sealed class LoadOrderHandler<TPayload> : TaskHandler<TPayload>
    where TPayload : ILoadOrder
{
    protected override Task HandleAsync(TPayload payload, TaskContext context, CancellationToken cancellationToken)
    {
        HandlerRecorder.Record(payload.OrderId);
        return Task.CompletedTask;
    }
}
