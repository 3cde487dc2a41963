namespace RedisScheduler.Tests.Infrastructure;

/// <summary>The payload of the continuations the chaos test schedules; the same task type and JSON as in RedisScheduler.ChaosWorker.</summary>
/// <param name="Number">The continuation's index in the test's plan.</param>
[TaskType("chaos-join")]
public sealed record ChaosJoin(int Number);
