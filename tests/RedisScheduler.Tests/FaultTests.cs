using System.Diagnostics;
using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

public sealed class FaultTests
{
    [Test]
    public async Task WorkerProcessKilledMidTask_TaskIsRedeliveredAfterLease()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler();
        var id = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
        const int LeaseMs = 2_000;

        using var worker = StartTestWorker(scope, LeaseMs);
        string startedLine;
        try
        {
            startedLine = await ReadLineStartingWithAsync(worker, "STARTED", TimeSpan.FromSeconds(60));
        }
        finally
        {
            worker.Kill(entireProcessTree: true); // SIGKILL: no graceful release, the lease must do it
            await worker.WaitForExitAsync();
        }

        var killedAt = DateTimeOffset.UtcNow;
        Assert.That(startedLine, Is.EqualTo($"STARTED {id} 1"));
        Assert.That((await scheduler.GetTaskAsync(id))!.State, Is.EqualTo(TaskState.Processing), "the dead worker still holds it");

        var (_, probe) = await scope.StartWorkerAsync("survivor", configure: o => o.LeaseDuration = TimeSpan.FromMilliseconds(LeaseMs));
        var redelivered = await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(redelivered.TaskId, Is.EqualTo(id));
            Assert.That(redelivered.Attempt, Is.EqualTo(2));
            Assert.That(redelivered.StartedAt - killedAt, Is.LessThan(TimeSpan.FromMilliseconds(LeaseMs + 5_000)), "handed out again once the lease ran out");
        });
        await probe.WaitForAsync(1, TimeSpan.FromSeconds(5));
        Assert.That(probe.Handled, Has.Count.EqualTo(1));
    }

    internal static Process StartTestWorker(TestScope scope, int leaseMs, params string[] more)
    {
        // The worker is built next to this assembly's project: tests/RedisScheduler.TestWorker/bin/<configuration>/<tfm>/.
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var workerDll = Path.Combine(testBin.Parent!.Parent!.Parent!.Parent!.FullName, "RedisScheduler.TestWorker", "bin", testBin.Parent.Name, testBin.Name, "RedisScheduler.TestWorker.dll");
        Assert.That(File.Exists(workerDll), Is.True, $"the test worker was not built at {workerDll}");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])[workerDll, scope.Configuration, scope.Prefix, leaseMs.ToString(System.Globalization.CultureInfo.InvariantCulture), .. more])
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("The test worker did not start.");
    }

    internal static async Task<string> ReadLineStartingWithAsync(Process process, string prefix, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"The test worker exited (code {process.ExitCode}) before printing '{prefix}'.");
    }
}
