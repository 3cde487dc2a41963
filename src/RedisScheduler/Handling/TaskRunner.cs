namespace RedisScheduler.Handling;

/// <summary>Runs the handler of one claimed task and hands what came of it to the <see cref="OutcomeReporter"/>.</summary>
internal sealed class TaskRunner(ITaskHandlerInvoker handler, OutcomeReporter reporter, InFlightTasks inFlight, ConcurrencySlots slots, CancellationToken stoppingToken)
{
    public async Task RunAsync(RunningTask run)
    {
        if (run.IsAbandoned)
        {
            // Handed back (a stop's overrun or a lost lease) before its handler started: another
            // worker may hold it now, so it must not run here.
            inFlight.Forget(run);
            slots.GiveBack();
            return;
        }

        Exception? failure = null;
        byte[]? result = null;
        try
        {
            result = await handler.InvokeAsync(run.Task, run.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }

        await reporter.ReportAsync(run, result, failure, stoppingToken.IsCancellationRequested).ConfigureAwait(false);
    }
}
