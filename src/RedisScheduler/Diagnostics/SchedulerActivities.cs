using System.Diagnostics;
using System.Globalization;
using RedisScheduler.Storage;

namespace RedisScheduler.Diagnostics;

/// <summary>
/// The spans of the library, on one <see cref="ActivitySource"/> named
/// <see cref="RedisSchedulerDiagnostics.ActivitySourceName"/>, after the OpenTelemetry messaging
/// semantic conventions: <c>send &lt;task type&gt;</c> (Producer) when tasks are scheduled and
/// <c>process &lt;task type&gt;</c> (Consumer) around a handler. Nothing is built unless a listener
/// samples the source.
/// </summary>
internal static class SchedulerActivities
{
    public const string SystemTag = "messaging.system";
    public const string OperationNameTag = "messaging.operation.name";
    public const string OperationTypeTag = "messaging.operation.type";
    public const string DestinationTag = "messaging.destination.name";
    public const string MessageIdTag = "messaging.message.id";
    public const string BatchCountTag = "messaging.batch.message_count";
    public const string ErrorTypeTag = "error.type";

    public static readonly ActivitySource Source = new(
        RedisSchedulerDiagnostics.ActivitySourceName, typeof(SchedulerActivities).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the span of one scheduling call; <see langword="null"/> when nobody listens.</summary>
    public static Activity? StartSend(string taskType)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("send " + taskType, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(SystemTag, RedisSchedulerDiagnostics.MessagingSystem);
            activity.SetTag(OperationNameTag, RedisSchedulerDiagnostics.SendOperation);
            activity.SetTag(OperationTypeTag, RedisSchedulerDiagnostics.SendOperation);
            activity.SetTag(DestinationTag, taskType);
        }

        return activity;
    }

    /// <summary>The name of the span around a handler of <paramref name="taskType"/>.</summary>
    public static string ProcessSpanName(string taskType) => "process " + taskType;

    /// <summary>
    /// Starts the span around a handler: a child of the span the task was scheduled under, or, with
    /// <paramref name="newTrace"/>, the root of a new trace linked to it; linked as well to the attempt
    /// that failed before this one, and a recurring occurrence to the call that defined its schedule. Never a child of the worker loop's own ambient activity.
    /// </summary>
    /// <remarks>The caller clears <see cref="Activity.Current"/> first, listened to or not.</remarks>
    public static Activity? StartProcess(string spanName, string taskType, string taskId, in TaskRecord record, bool newTrace, double? latenessSeconds)
    {
        var stored = StoredTraceContext.Parse(record.TraceContext.AsSpan());
        ActivityContext parent = default;
        List<ActivityLink>? links = null;
        if (stored.Scheduled != default)
        {
            if (newTrace)
            {
                links = [new ActivityLink(stored.Scheduled)];
            }
            else
            {
                parent = stored.Scheduled;
            }
        }

        if (stored.Link != default)
        {
            (links ??= []).Add(new ActivityLink(stored.Link));
        }

        var activity = Source.StartActivity(ActivityKind.Consumer, parent, tags: null, links, name: spanName);
        if (activity is null)
        {
            return null;
        }

        if (stored.Baggage is { } baggage)
        {
            foreach (var (key, value) in baggage)
            {
                activity.AddBaggage(key, value);
            }
        }

        if (activity.IsAllDataRequested)
        {
            // AddTag appends where SetTag first searches the tags for the key: these keys are new
            // to a span that was just started (a sampler's own attributes use other names).
            activity.AddTag(SystemTag, RedisSchedulerDiagnostics.MessagingSystem);
            activity.AddTag(OperationNameTag, RedisSchedulerDiagnostics.ProcessOperation);
            activity.AddTag(OperationTypeTag, RedisSchedulerDiagnostics.ProcessOperation);
            activity.AddTag(DestinationTag, taskType);
            activity.AddTag(MessageIdTag, taskId);
            activity.AddTag(RedisSchedulerDiagnostics.AttemptTag, record.Attempt);
            activity.AddTag(RedisSchedulerDiagnostics.DueAtTag, DateTimeOffset.FromUnixTimeMilliseconds(record.DueAtMs).ToString("O", CultureInfo.InvariantCulture));
            if (latenessSeconds is { } lateness)
            {
                activity.AddTag(RedisSchedulerDiagnostics.LatenessTag, lateness);
            }
        }

        return activity;
    }

    /// <summary>
    /// Scheduling succeeded: the span gets the task's id (one task) or the batch size
    /// (<c>messaging.batch.message_count</c>, a batch call), and <c>messaging.client.sent.messages</c> counts them.
    /// </summary>
    public static void Sent(Activity? activity, string taskType, int count, string? taskId = null)
    {
        if (activity is { IsAllDataRequested: true })
        {
            if (taskId is not null)
            {
                activity.SetTag(MessageIdTag, taskId);
            }
            else
            {
                activity.SetTag(BatchCountTag, count);
            }
        }

        if (count > 0 && SchedulerMetrics.Sent.Enabled)
        {
            SchedulerMetrics.Sent.Add(count, SchedulerMetrics.Tags(taskType, RedisSchedulerDiagnostics.SendOperation));
        }
    }

    /// <summary>Marks a span failed: status, <c>error.type</c> and an exception event.</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(ErrorTypeTag, exception.GetType().FullName);
            activity.AddException(exception);
        }
    }
}
