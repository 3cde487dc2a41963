using Microsoft.Extensions.Hosting;

namespace RedisScheduler.WebSample;

/// <summary>
/// Keeps the dashboard busy: every few seconds a handful of e-mails due over the next two hours (the
/// timeline fills), and now and then an album of thumbnails as a batch with a completion task.
/// </summary>
public sealed class Feeder(ITaskScheduler scheduler, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(3), time);
        var round = 0;
        do
        {
            round++;
            var now = time.GetUtcNow();
            var emails = Enumerable.Range(0, 5).Select(i => (now.AddSeconds(Random.Shared.Next(0, 7_200)), new Email($"user{i}@example.com", $"Newsletter {round}.{i}")));
            await scheduler.ScheduleTasksAsync(emails, stoppingToken);
            await scheduler.EnqueueTaskAsync(new Email("ops@example.com", $"Report {round}"), stoppingToken);
            if (round % 5 == 1)
            {
                var album = $"album-{round}";
                await scheduler.ScheduleBatchAsync(Enumerable.Range(1, 12).Select(p => new Thumbnail(album, p)), new AlbumReady(album), stoppingToken);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
