using System.Globalization;
using RedisScheduler.Storage;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>One handler start ("start" line) or success ("done" line) reported by a chaos worker.</summary>
/// <param name="Succeeded">A "done" line: the handler returned, before its acknowledgement reached Redis.</param>
/// <param name="StartedMs">When the handler started, in Unix ms (the same clock as the test: one machine).</param>
/// <param name="DueMs">TaskContext.DueAt in Unix ms: the due time stored when the task was scheduled.</param>
public sealed record ChaosRun(bool Succeeded, string TaskId, int Attempt, long StartedMs, long DueMs, int ProcessId);

/// <summary>How a continuation's handler saw its parents end ("parents" line): parent task id to <see cref="TaskOutcome"/> name.</summary>
public sealed record ChaosParents(string TaskId, int Attempt, int ProcessId, IReadOnlyDictionary<string, string> Outcomes);

/// <summary>A worker process the test killed with SIGKILL; <paramref name="AtMs"/> is taken once the signal was sent.</summary>
public sealed record ChaosKill(int ProcessId, long AtMs);

/// <summary>Redis killed with SIGKILL at <paramref name="DownMs"/> and answering again at <paramref name="UpMs"/>.</summary>
public sealed record RedisOutage(long DownMs, long UpMs);

/// <summary>What the chaos workers reported and what the test did to them; filled from several threads.</summary>
public sealed class ChaosJournal
{
    private readonly object gate = new();
    private readonly List<ChaosRun> runs = [];
    private readonly List<ChaosParents> parents = [];
    private readonly HashSet<string> completed = new(StringComparer.Ordinal);
    private readonly List<ChaosKill> kills = [];
    private readonly List<RedisOutage> outages = [];
    private readonly List<string> logs = [];
    private readonly List<string> unreadable = [];

    public IReadOnlyList<ChaosRun> Runs => Locked(() => runs.ToList());

    public IReadOnlyList<ChaosParents> Parents => Locked(() => parents.ToList());

    public IReadOnlyList<ChaosKill> Kills => Locked(() => kills.ToList());

    public IReadOnlyList<RedisOutage> Outages => Locked(() => outages.ToList());

    /// <summary>The workers' stderr: warnings of the scheduler such as lost leases and failed Redis calls.</summary>
    public IReadOnlyList<string> Logs => Locked(() => logs.ToList());

    /// <summary>Stdout lines that were neither "start" nor "done" lines.</summary>
    public IReadOnlyList<string> Unreadable => Locked(() => unreadable.ToList());

    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// Parses "start|done &lt;task id&gt; &lt;attempt&gt; &lt;started ms&gt; &lt;due ms&gt; &lt;pid&gt;" and
    /// "parents &lt;task id&gt; &lt;attempt&gt; &lt;pid&gt; &lt;parent&gt;=&lt;outcome&gt;,...".
    /// </summary>
    public void OnWorkerLine(string line)
    {
        var parts = line.Split(' ');
        if (parts is ["parents", var taskId, var attemptText, var pidText, var list]
            && int.TryParse(attemptText, CultureInfo.InvariantCulture, out var parentsAttempt)
            && int.TryParse(pidText, CultureInfo.InvariantCulture, out var parentsPid))
        {
            var outcomes = list.Split(',').Select(p => p.Split('=')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            lock (gate)
            {
                parents.Add(new ChaosParents(taskId, parentsAttempt, parentsPid, outcomes));
            }

            return;
        }

        if (parts.Length != 6
            || parts[0] is not ("start" or "done")
            || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out var attempt)
            || !long.TryParse(parts[3], CultureInfo.InvariantCulture, out var startedMs)
            || !long.TryParse(parts[4], CultureInfo.InvariantCulture, out var dueMs)
            || !int.TryParse(parts[5], CultureInfo.InvariantCulture, out var pid))
        {
            lock (gate)
            {
                unreadable.Add(line);
            }

            return;
        }

        var run = new ChaosRun(parts[0] == "done", parts[1], attempt, startedMs, dueMs, pid);
        lock (gate)
        {
            runs.Add(run);
            if (run.Succeeded)
            {
                completed.Add(run.TaskId);
            }
        }
    }

    public void OnWorkerLog(string line)
    {
        lock (gate)
        {
            logs.Add(line);
        }
    }

    public void OnKill(int processId, long atMs)
    {
        lock (gate)
        {
            kills.Add(new ChaosKill(processId, atMs));
        }
    }

    public void OnRedisRestart(long downMs, long upMs)
    {
        lock (gate)
        {
            outages.Add(new RedisOutage(downMs, upMs));
        }
    }

    public bool HasCompleted(string taskId) => Locked(() => completed.Contains(taskId));

    public int CompletedCount => Locked(() => completed.Count);

    private T Locked<T>(Func<T> read)
    {
        lock (gate)
        {
            return read();
        }
    }
}
