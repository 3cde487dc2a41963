namespace RedisScheduler.ChaosWorker;

/// <summary>The payload of the continuations ChaosTests schedules on chaos tasks; the same task type and JSON there.</summary>
/// <param name="Number">The continuation's index in the test's plan.</param>
[TaskType("chaos-join")]
internal sealed record ChaosJoin(int Number);
