namespace RedisScheduler.Handling;

/// <summary>What retry.lua, dead.lua and release.lua answer for one delivery.</summary>
internal enum FinishReply
{
    /// <summary>This delivery's lease was lost (it ran out, or the task was handed back): nothing was changed.</summary>
    LeaseLost = 0,

    /// <summary>The task was rescheduled, dead-lettered or released.</summary>
    Finished = 1,

    /// <summary>dead.lua only: dead-lettered, and continuations wait to hear of it (the outbox has entries).</summary>
    FinishedWithContinuations = 2,
}
