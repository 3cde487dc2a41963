namespace RedisScheduler;

/// <summary>
/// How a failed task is retried: exponential backoff with jitter, up to a number of attempts, after
/// which it moves to the dead letters. Set the default in <see cref="RedisSchedulerOptions.Retry"/>
/// and override it per handler in <see cref="TaskHandlerOptions.Retry"/>.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>How many times a task is handed to a handler in all, counting the first run and deliveries whose worker died.</summary>
    /// <value>Default: 10.</value>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The wait before the second attempt.</summary>
    /// <value>Default: 1 second.</value>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>What each further wait is multiplied by.</summary>
    /// <value>Default: 2.</value>
    public double BackoffMultiplier { get; set; } = 2;

    /// <summary>The longest wait between attempts, jitter included.</summary>
    /// <value>Default: 5 minutes.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How far each wait may randomly stray, as a fraction of it (0.2 means ±20%), so tasks that
    /// failed together do not all retry in the same millisecond.
    /// </summary>
    /// <value>Default: 0.2.</value>
    public double JitterFactor { get; set; } = 0.2;

    /// <summary>The wait after attempt <paramref name="failedAttempt"/> failed, for a uniform <paramref name="random"/> in [0, 1).</summary>
    internal TimeSpan DelayAfter(int failedAttempt, double random)
    {
        var exponent = Math.Min(failedAttempt - 1, 64);
        var baseMs = Math.Min(InitialDelay.TotalMilliseconds * Math.Pow(BackoffMultiplier, exponent), MaxDelay.TotalMilliseconds);
        var jittered = baseMs * (1 - JitterFactor + (2 * JitterFactor * random));
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, 0, MaxDelay.TotalMilliseconds));
    }

    /// <returns>What is wrong and how to fix it, or <see langword="null"/> when the policy is valid.</returns>
    internal IEnumerable<string> Validate(string owner)
    {
        if (MaxAttempts is < 1 or > 1000)
        {
            yield return $"{owner}.MaxAttempts is {MaxAttempts}: set it from 1 (no retries) to 1000 (default 10).";
        }

        if (InitialDelay < TimeSpan.Zero || MaxDelay < InitialDelay || MaxDelay > TimeSpan.FromDays(7))
        {
            yield return $"{owner}: InitialDelay ({InitialDelay}) must be zero or more and at most MaxDelay ({MaxDelay}), which must be at most 7 days.";
        }

        if (BackoffMultiplier is < 1 or > 100 || double.IsNaN(BackoffMultiplier))
        {
            yield return $"{owner}.BackoffMultiplier is {BackoffMultiplier}: set it from 1 (a constant delay) to 100 (default 2).";
        }

        if (JitterFactor is < 0 or > 1 || double.IsNaN(JitterFactor))
        {
            yield return $"{owner}.JitterFactor is {JitterFactor}: set it from 0 (no jitter) to 1 (default 0.2).";
        }
    }
}
