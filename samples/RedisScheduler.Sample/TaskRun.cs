namespace RedisScheduler.Sample;

/// <summary>One start of a task's handler, as seen by the instance that ran it.</summary>
internal sealed record TaskRun(string Instance, string TaskId, DateTimeOffset DueAt, TimeSpan Lateness);
