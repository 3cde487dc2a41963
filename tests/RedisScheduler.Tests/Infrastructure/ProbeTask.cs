namespace RedisScheduler.Tests.Infrastructure;

/// <summary>What a <see cref="ProbeHandler"/> does with a task.</summary>
public enum ProbeBehavior
{
    Complete,
    FailOnFirstAttempt,
    WaitUntilCancelled,
    AlwaysFail,
    FailPermanently,
    FailWhileSwitchOn,
    IgnoreCancellation,
    HoldBriefly,
    BlockThreadUntilReleased,
}

/// <summary>The payload of test tasks; the same task type ("probe") as the TestWorker process uses.</summary>
[TaskType("probe")]
public sealed record ProbeTask(int Number, ProbeBehavior Behavior = ProbeBehavior.Complete);
