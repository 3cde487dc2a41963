namespace RedisScheduler.Sample;

/// <summary>The payload of a task. The task type name "reminder" is stored in Redis, so it must stay stable across deployments.</summary>
[TaskType("reminder")]
internal sealed record Reminder(string Text);
