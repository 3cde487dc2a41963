namespace RedisScheduler.Handling;

/// <summary>The tasks one claim took, and how long the worker may sleep if it took none.</summary>
internal readonly record struct ClaimedBatch(IReadOnlyList<ClaimedTask> Tasks, TimeSpan IdleDelay);
