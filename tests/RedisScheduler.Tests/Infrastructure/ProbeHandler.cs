using RedisScheduler.Storage;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>The name a test gave to a worker host.</summary>
public sealed record WorkerName(string Value);

/// <summary>Records each task in the test's <see cref="TaskProbe"/>, then behaves as the payload asks.</summary>
public sealed class ProbeHandler(TaskProbe probe, WorkerName name, TimeProvider time) : TaskHandler<ProbeTask>
{
    protected override async Task HandleAsync(ProbeTask payload, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Record(new HandledTask(name.Value, payload, context.TaskId, context.Attempt, context.DueAt, time.GetUtcNow()));
        switch (payload.Behavior)
        {
            case ProbeBehavior.FailOnFirstAttempt when context.Attempt == 1:
                throw new InvalidOperationException("Failing the first attempt on purpose.");
            case ProbeBehavior.WaitUntilCancelled:
                using (cancellationToken.Register(() => probe.Cancelled.TrySetResult()))
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                break;
            case ProbeBehavior.AlwaysFail:
                throw new InvalidOperationException($"Attempt {context.Attempt} fails on purpose.");
            case ProbeBehavior.FailPermanently:
                throw new PermanentTaskFailureException("This task can never succeed.");
            case ProbeBehavior.FailWhileSwitchOn when probe.FailSwitch:
                throw new InvalidOperationException("The switch is on.");
            case ProbeBehavior.HoldBriefly:
                probe.Enter();
                try
                {
                    await Task.Delay(50, cancellationToken);
                }
                finally
                {
                    probe.Exit();
                }

                break;
            case ProbeBehavior.BlockThreadUntilReleased:
                // Synchronously, before any await: the handler holds its thread, as blocking code does.
                probe.Release.Task.Wait(CancellationToken.None);
                break;
            case ProbeBehavior.IgnoreCancellation:
                await probe.Release.Task;
                break;
        }
    }
}
