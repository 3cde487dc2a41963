using RedisScheduler.LoadTest.Agent;

namespace RedisScheduler.LoadTest.Hangfire;

/// <summary>The no-op job: records that it started, and returns.</summary>
internal static class HangfireJobs
{
    public static void Run(LoadOrder order) => HandlerRecorder.Record(order.OrderId);
}
