namespace RedisScheduler.ChaosWorker;

/// <summary>The payload of chaos tasks; ChaosTests schedules the same JSON under the same task type.</summary>
/// <param name="Number">The task's index in the test's plan.</param>
/// <param name="FailFirst">How many first attempts throw an ordinary exception before one succeeds.</param>
/// <param name="Permanent">Every attempt throws <see cref="PermanentTaskFailureException"/>.</param>
/// <param name="WorkMs">How long each attempt works (waits) before it succeeds or fails.</param>
[TaskType("chaos")]
internal sealed record ChaosTask(int Number, int FailFirst, bool Permanent, int WorkMs);
