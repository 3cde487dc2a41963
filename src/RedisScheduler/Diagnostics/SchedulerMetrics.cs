using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RedisScheduler.Diagnostics;

/// <summary>
/// The instruments of the library, created once on one <see cref="Meter"/> named
/// <see cref="RedisSchedulerDiagnostics.MeterName"/>. Tags are the task type and, where it applies,
/// the outcome or state; never a task id. Callers check <see cref="Instrument.Enabled"/> before
/// building tags, so a process where nobody listens pays a field read per measurement.
/// </summary>
internal static class SchedulerMetrics
{
    public const string Succeeded = "succeeded";
    public const string Retried = "retried";
    public const string DeadLettered = "dead_lettered";
    public const string Released = "released";
    public const string LeaseLost = "lease_lost";

    public static readonly Meter Meter = new(RedisSchedulerDiagnostics.MeterName, typeof(SchedulerMetrics).Assembly.GetName().Version?.ToString());

    // Seconds, from a millisecond (the resolution of due times) to a few minutes.
    private static readonly double[] SecondsBuckets = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    public static readonly Counter<long> Sent = Meter.CreateCounter<long>(
        "messaging.client.sent.messages", "{message}", "Tasks scheduled.");

    public static readonly Counter<long> Consumed = Meter.CreateCounter<long>(
        "messaging.client.consumed.messages", "{message}", "Tasks claimed and handed to their handlers, counted per claim.");

    public static readonly Histogram<double> ProcessDuration = Meter.CreateHistogram(
        "messaging.process.duration", "s", "How long handlers ran.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly Counter<long> Outcomes = Meter.CreateCounter<long>(
        "redis_scheduler.task.outcomes", "{task}", "Deliveries by what became of them (redis_scheduler.task.outcome).");


    public static readonly Histogram<double> Lateness = Meter.CreateHistogram(
        "redis_scheduler.task.lateness", "s", "How late handlers started after their tasks were due (the Redis server's clock), every run: a retry from its own due time.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>The tags every measurement of a task type carries.</summary>
    public static TagList Tags(string taskType, string operation) => new()
    {
        { SchedulerActivities.SystemTag, RedisSchedulerDiagnostics.MessagingSystem },
        { SchedulerActivities.OperationNameTag, operation },
        { SchedulerActivities.DestinationTag, taskType },
    };

    /// <summary>Counts <paramref name="count"/> deliveries of <paramref name="taskType"/> that ended with <paramref name="outcome"/>.</summary>
    public static void Outcome(string taskType, string outcome, int count = 1)
    {
        if (count > 0 && Outcomes.Enabled)
        {
            Outcomes.Add(count, new TagList
            {
                { SchedulerActivities.SystemTag, RedisSchedulerDiagnostics.MessagingSystem },
                { SchedulerActivities.DestinationTag, taskType },
                { RedisSchedulerDiagnostics.OutcomeTag, outcome },
            });
        }
    }
}
