using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>One delivery of a task to this worker: the task, and the token that fences this delivery.</summary>
internal sealed record ClaimedTask(string LocalId, string Token, TaskRecord Record)
{
    /// <summary>The in-flight member of this delivery (see <see cref="Storage.LeaseMember"/>); made once, as the worker looks it up twice per task.</summary>
    public string LeaseMember { get; } = Storage.LeaseMember.Format(LocalId, Token);
}
