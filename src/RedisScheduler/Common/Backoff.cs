namespace RedisScheduler.Common;

/// <summary>
/// An exponential backoff for calls to Redis that failed: the first delay, doubled after each
/// failure, never above the cap. The library's three retry loops (a worker's claims, a worker's
/// finishing calls, start-up registration of recurring schedules) share it, so a change of policy
/// is made once. A mutable struct: keep it in one local or field, never copy it.
/// </summary>
internal struct Backoff
{
    private readonly TimeSpan first;
    private readonly TimeSpan max;
    private TimeSpan next;

    /// <param name="first">The delay after the first failure.</param>
    /// <param name="max">The longest delay.</param>
    public Backoff(TimeSpan first, TimeSpan max)
    {
        this.first = first;
        this.max = max;
        next = first;
    }

    /// <summary>The delay to wait now; the one after is twice as long, up to the cap.</summary>
    public TimeSpan Next()
    {
        var delay = next < max ? next : max;
        // Doubling stops at the cap, so the delay cannot overflow however long Redis stays down.
        next = delay >= max / 2 ? max : delay * 2;
        return delay;
    }

    /// <summary>A call succeeded: the next failure waits the first delay again.</summary>
    public void Reset() => next = first;
}
