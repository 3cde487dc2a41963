using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RedisScheduler.Diagnostics;
using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>
/// Runs the handler of one claimed task and hands what came of it to the <see cref="OutcomeReporter"/>;
/// around the handler, its span (<c>process &lt;task type&gt;</c>), log scope and measurements.
/// </summary>
internal sealed class TaskRunner(
    string taskType,
    bool linkToSchedulingTrace,
    ITaskHandlerInvoker handler,
    OutcomeReporter reporter,
    InFlightTasks inFlight,
    ConcurrencySlots slots,
    RunningHandlers running,
    TimeProvider time,
    ILogger logger,
    CancellationToken stoppingToken)
{
    // Made once: a span name per run would be a string concatenation per task.
    private readonly string processSpanName = SchedulerActivities.ProcessSpanName(taskType);

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

        if (stoppingToken.IsCancellationRequested)
        {
            // Claimed while the host stops (the claim was on its way when the stop began, or took a
            // task another handler of this worker had just given back): given back before its
            // handler starts, so the task starts once, on the next worker, and not also here.
            await reporter.ReportAsync(run, null, new OperationCanceledException(stoppingToken), stopping: true).ConfigureAwait(false);
            return;
        }

        var task = run.Task;
        var record = task.Record;
        // Every run, from its own due time: retry.lua stores a retry's due time in the record. Always
        // measured (one clock read): the activity buckets in Redis count it when the task ends.
        double? lateness = task.Call.LatenessSeconds(record.DueAtMs, time);
        run.LatenessMs = lateness is { } late ? (long)Math.Max(0, Math.Round(late * 1000)) : null;
        // The handler's own spans (an HTTP call) must not hang off whatever the worker loop inherited.
        Activity.Current = null;
        // The public id, formatted once for the span and the log scope, and only if one of them wants it.
        var tracing = SchedulerActivities.Source.HasListeners();
        var logging = logger.IsEnabled(LogLevel.Critical);
        var taskId = tracing || logging ? TaskId.Format(task.Call.IdType ?? taskType, task.LocalId) : null;
        using var activity = tracing ? SchedulerActivities.StartProcess(processSpanName, taskType, taskId!, record, linkToSchedulingTrace, lateness) : null;
        using var scope = logging ? logger.BeginScope(new TaskLogScope(taskId!, taskType, record.Attempt)) : null;
        var timed = SchedulerMetrics.ProcessDuration.Enabled;
        var started = timed ? time.GetTimestamp() : 0;
        running.Started();
        Record(lateness);

        Exception? failure = null;
        byte[]? result = null;
        try
        {
            result = await handler.InvokeAsync(task, run.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            SchedulerActivities.Failed(activity, e);
        }

        running.Ended();
        Recorded(failure, timed ? time.GetElapsedTime(started).TotalSeconds : null);
        // The next attempt's span links to this one's if retry.lua stores it, so only a failure formats
        // the id (a string per task otherwise). Only a W3C id: an app that sets
        // Activity.DefaultIdFormat to Hierarchical gets ids with '|', the task record's separator.
        var traceParent = failure is null ? null : StoredTraceContext.CaptureLink(activity);
        await reporter.ReportAsync(run, result, failure, stoppingToken.IsCancellationRequested, traceParent).ConfigureAwait(false);
    }

    private void Record(double? lateness)
    {
        if (lateness is { } seconds && SchedulerMetrics.Lateness.Enabled)
        {
            SchedulerMetrics.Lateness.Record(seconds, SchedulerMetrics.Tags(taskType, RedisSchedulerDiagnostics.ProcessOperation));
        }
    }

    private void Recorded(Exception? failure, double? seconds)
    {
        if (seconds is { } duration)
        {
            var tags = SchedulerMetrics.Tags(taskType, RedisSchedulerDiagnostics.ProcessOperation);
            if (failure is not null)
            {
                tags.Add(SchedulerActivities.ErrorTypeTag, failure.GetType().FullName);
            }

            SchedulerMetrics.ProcessDuration.Record(duration, tags);
        }
    }
}
