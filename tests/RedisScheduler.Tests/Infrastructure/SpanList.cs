using System.Collections.ObjectModel;
using System.Diagnostics;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>The spans an in-memory exporter collects, safe to read while worker threads end spans.</summary>
public sealed class SpanList : Collection<Activity>
{
    private readonly Lock gate = new();

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (gate)
        {
            return [.. Items];
        }
    }

    /// <summary>Waits until <paramref name="count"/> spans named <paramref name="name"/> have ended; fails clearly after 20 s.</summary>
    public async Task<IReadOnlyList<Activity>> WaitForAsync(string name, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var found = Snapshot().Where(s => s.DisplayName == name).ToList();
            if (found.Count >= count)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{found.Count} spans named '{name}' ended within 20 s, expected {count}; spans: {string.Join(", ", Snapshot().Select(s => s.DisplayName))}.");
            }

            await Task.Delay(20);
        }
    }

    protected override void InsertItem(int index, Activity item)
    {
        lock (gate)
        {
            base.InsertItem(index, item);
        }
    }

    protected override void ClearItems()
    {
        lock (gate)
        {
            base.ClearItems();
        }
    }
}
