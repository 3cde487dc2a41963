namespace RedisScheduler.Dashboard.Tests.Browser;

/// <summary>A receipt to print: its handler succeeds with a result.</summary>
[TaskType("receipt")]
public sealed record Receipt(string Number);

/// <summary>A report: its handler runs until the test ends, so one is always processing.</summary>
[TaskType("report")]
public sealed record Report(string Name);

/// <summary>An account sync: its handler fails, and the next attempt is an hour away, so it stays failed.</summary>
[TaskType("sync")]
public sealed record SyncRun(string Account);

/// <summary>A fragile task: dead-lettered while <see cref="BrowserSwitches.FragileFails"/>, then it succeeds (so a requeued one stays out of the dead letters).</summary>
[TaskType("fragile")]
public sealed record Fragile(int Value);

/// <summary>What the browser tests' handlers do and tell, one per app.</summary>
public sealed class BrowserSwitches
{
    private volatile bool fragileFails = true;

    public bool FragileFails
    {
        get => fragileFails;
        set => fragileFails = value;
    }

    public TaskCompletionSource ReportStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource SyncFailed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What printing a receipt returns: kept as the task's result, shown in the succeeded list.</summary>
public sealed record Printed(string Number, string Printer);

public sealed class ReceiptHandler : TaskHandler<Receipt, Printed>
{
    protected override Task<Printed> HandleAsync(Receipt payload, TaskContext context, CancellationToken cancellationToken) => Task.FromResult(new Printed(payload.Number, "front-desk"));
}

public sealed class ReportHandler(BrowserSwitches switches) : TaskHandler<Report>
{
    protected override async Task HandleAsync(Report payload, TaskContext context, CancellationToken cancellationToken)
    {
        switches.ReportStarted.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

public sealed class SyncHandler(BrowserSwitches switches) : TaskHandler<SyncRun>
{
    protected override Task HandleAsync(SyncRun payload, TaskContext context, CancellationToken cancellationToken)
    {
        switches.SyncFailed.TrySetResult();
        throw new InvalidOperationException($"The bank's API answered 503 for account {payload.Account}.");
    }
}

public sealed class FragileHandler(BrowserSwitches switches) : TaskHandler<Fragile>
{
    protected override Task HandleAsync(Fragile payload, TaskContext context, CancellationToken cancellationToken)
        => switches.FragileFails ? throw new PermanentTaskFailureException($"Fragile {payload.Value} broke: the input file was truncated.") : Task.CompletedTask;
}
