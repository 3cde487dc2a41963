namespace RedisScheduler.Handling;

/// <summary>The tasks one claim took, and how long the worker may sleep if it took none.</summary>
internal sealed record ClaimedBatch(IReadOnlyList<ClaimedTask> Tasks, TimeSpan IdleDelay);
