namespace RedisScheduler.Handling;

/// <summary>
/// When a worker's claim also sweeps dead letters and results past their retention (claim.lua does
/// it in the same call): rarely enough to cost nothing, often enough to keep memory flat.
/// </summary>
internal sealed class RetentionSweepTimer(TimeSpan? deadLetterRetention, TimeSpan resultRetention, TimeProvider time)
{
    /// <summary>The longest between two sweeps.</summary>
    internal static readonly TimeSpan MaxInterval = TimeSpan.FromMinutes(1);

    /// <summary>Between sweeps: a minute, or the shortest retention if that is shorter.</summary>
    private readonly TimeSpan interval = new[] { MaxInterval, deadLetterRetention ?? MaxInterval, resultRetention }.Min();

    private DateTimeOffset next = DateTimeOffset.MinValue;

    /// <summary>The retentions to sweep with in the claim about to be made; both <see langword="null"/> when no sweep is due.</summary>
    public (TimeSpan? DeadLetters, TimeSpan? Results) Due()
    {
        var now = time.GetUtcNow();
        if (now < next)
        {
            return (null, null);
        }

        next = now + interval;
        return (deadLetterRetention, resultRetention);
    }
}
