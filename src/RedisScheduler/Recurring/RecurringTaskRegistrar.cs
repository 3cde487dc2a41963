using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedisScheduler.Common;
using RedisScheduler.Storage;

namespace RedisScheduler.Recurring;

/// <summary>One schedule registered in code with <c>AddRecurringTask</c>, written to Redis at start-up.</summary>
internal sealed record RecurringTaskRegistration(Func<IRecurringTaskManager, CancellationToken, Task<bool>> Define);

/// <summary>
/// Writes the schedules registered in code to Redis when the host starts, in the background and
/// again until Redis answers, so an application can start while Redis is down. Writing a schedule
/// that is already there changes nothing, so every instance may do it.
/// </summary>
internal sealed class RecurringTaskRegistrar(IEnumerable<RecurringTaskRegistration> registrations, IRecurringTaskManager manager, RedisConnection connection, ILogger<RecurringTaskRegistrar> logger, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = registrations.ToList();
        var backoff = new Backoff(FirstRetryDelay, MaxRetryDelay);
        var seen = connection.Topology.Generation;
        while (pending.Count > 0)
        {
            try
            {
                await pending[0].Define(manager, stoppingToken).ConfigureAwait(false);
                pending.RemoveAt(0);
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
            {
                var delay = backoff.Next();
                Log.RecurringRegistrationFailed(logger, e, delay);
                // The back-off grows to 30 s: a failover that ends meanwhile should not cost the rest of it.
                if (await connection.Topology.DelayAsync(delay, seen, time, stoppingToken).ConfigureAwait(false))
                {
                    seen = connection.Topology.Generation;
                }
            }
        }
    }
}
