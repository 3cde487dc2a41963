using System.Diagnostics;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>
/// One RedisScheduler.ChaosWorker process. Its stdout and stderr are read asynchronously and handed
/// over line by line as they arrive, so a slow reader never stalls the worker.
/// </summary>
public sealed class ChaosWorkerProcess : IDisposable
{
    private readonly Process process;
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChaosWorkerProcess(Process process) => this.process = process;

    public int Id => process.Id;

    /// <summary>Completes when the worker's host has started; fails if the process exits first.</summary>
    public Task Ready => ready.Task;

    public bool HasExited => process.HasExited;

    /// <param name="arguments">The worker's arguments (see its Program.cs).</param>
    /// <param name="onLine">Gets every stdout line except "ready".</param>
    /// <param name="onLog">Gets every stderr line.</param>
    public static ChaosWorkerProcess Start(IEnumerable<string> arguments, Action<string> onLine, Action<string> onLog)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(WorkerDll());
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new ChaosWorkerProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (e.Data.StartsWith("ready ", StringComparison.Ordinal))
            {
                worker.ready.TrySetResult();
            }
            else
            {
                onLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onLog(e.Data);
            }
        };
        process.Exited += (_, _) => worker.ready.TrySetException(new InvalidOperationException($"Chaos worker {process.Id} exited (code {process.ExitCode}) before it was ready."));
        if (!process.Start())
        {
            throw new InvalidOperationException("The chaos worker did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>SIGKILL: no graceful shutdown, no release of its tasks; only their leases bring them back.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }
    }

    /// <summary>Waits for the process to end and for its last output lines to be handed over.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Chaos worker {Id} did not exit and close its output within {timeout}.");
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // It was never started or has just exited.
        }

        process.Dispose();
    }

    private static string WorkerDll()
    {
        // Built next to this assembly's project: tests/RedisScheduler.ChaosWorker/bin/<configuration>/<tfm>/.
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(testBin.Parent!.Parent!.Parent!.Parent!.FullName, "RedisScheduler.ChaosWorker", "bin", testBin.Parent.Name, testBin.Name, "RedisScheduler.ChaosWorker.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The chaos worker was not built at {dll}; build tests/RedisScheduler.Tests, which builds it too.", dll);
    }
}
