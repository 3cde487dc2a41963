using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>
/// One agent process (a client or a worker of one system) and its side of the line protocol
/// described in <see cref="Agent.AgentMain"/>. Killed with its whole process tree when disposed.
/// </summary>
internal sealed class AgentProcess : IDisposable
{
    // A warmed-up worker (w2-warm) answers only after up to 5 drains of N tasks, each followed by up
    // to 10 s waiting for its JIT to settle: over 60 s on a 2-core machine whose hypervisor steals a
    // fifth of it under load.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(180);

    private readonly Process process;
    private readonly Channel<string> replies = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<string> errors = new();
    private readonly string name;
    private long progress;
    private long progressCpuTicks;

    private AgentProcess(Process process, string name)
    {
        this.process = process;
        this.name = name;
    }

    /// <summary>Tasks scheduled so far by the running command, or handlers started so far by a worker.</summary>
    public long Progress => Interlocked.Read(ref progress);

    /// <summary>The agent's CPU time at its last progress report, in ticks.</summary>
    public long ProgressCpuTicks => Interlocked.Read(ref progressCpuTicks);

    /// <summary>What the agent said it runs (system and library versions), from its READY line.</summary>
    public string Description { get; private set; } = string.Empty;

    /// <summary>Extra settings per system from the command line (<c>--set</c>), applied to every agent of that system.</summary>
    public static IReadOnlyDictionary<string, List<string>> ExtraSettings { get; set; } = new Dictionary<string, List<string>>();

    public static AgentProcess Start(SystemDefinition system, string role, MeasuredRedis redis, int concurrency, int capacity, IReadOnlyList<string>? settings = null)
    {
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        string[] arguments =
        [
            system.AgentAssembly, "agent", "--system", system.Name, "--role", role, "--redis", redis.Configuration,
            "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture), "--capacity", capacity.ToString(CultureInfo.InvariantCulture),
            .. system.Settings.Concat(ExtraSettings.GetValueOrDefault(system.Name, [])).Concat(settings ?? []).SelectMany(s => new[] { "--set", s }),
        ];
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        var agent = new AgentProcess(process, $"{system.Name} {role}");
        process.OutputDataReceived += (_, e) => agent.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                agent.errors.Enqueue(e.Data);
                while (agent.errors.Count > 40 && agent.errors.TryDequeue(out string? _))
                {
                }
            }
        };
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start the {agent.name} agent.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    public async Task ReadyAsync()
    {
        var line = await ExpectAsync("READY", ReadyTimeout);
        Description = line.Length > "READY ".Length ? line["READY ".Length..] : string.Empty;
    }

    /// <summary>Forgets the previous command's progress, before a new command starts.</summary>
    public void ResetProgress() => Interlocked.Exchange(ref progress, 0);

    public void Send(string command)
    {
        process.StandardInput.WriteLine(command);
        process.StandardInput.Flush();
    }

    /// <summary>Waits for the next reply line starting with <paramref name="keyword"/>; an ERROR line or the agent's exit fails.</summary>
    public async Task<string> ExpectAsync(string keyword, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await replies.Reader.ReadAsync(cancel.Token);
                if (line.StartsWith("ERROR", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"The {name} agent failed: {line[5..].Trim()}");
                }

                if (line.StartsWith(keyword, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"The {name} agent did not answer {keyword} within {timeout.TotalSeconds:F0} s.{ErrorTail()}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The {name} agent exited before answering {keyword}.{ErrorTail()}");
        }
    }

    /// <summary>The numbers after the keyword of a reply line.</summary>
    public static long[] Numbers(string line)
        => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(w => long.Parse(w, CultureInfo.InvariantCulture)).ToArray();

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    /// <summary>Asks the agent to exit on its own, then makes sure it did.</summary>
    public async Task QuitAsync()
    {
        try
        {
            Send("quit");
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // Dispose kills it.
        }

        Dispose();
    }

    private static string DotnetHost()
    {
        // The muxer that runs this process also runs the agents: <dotnet root>/shared/Microsoft.NETCore.App/<version>/ → <dotnet root>/dotnet.
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var muxer = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(muxer) ? muxer : "dotnet";
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            replies.Writer.TryComplete();
            return;
        }

        if (line.StartsWith("PROGRESS", StringComparison.Ordinal))
        {
            var numbers = Numbers(line);
            Interlocked.Exchange(ref progress, numbers[0]);
            Interlocked.Exchange(ref progressCpuTicks, numbers[1]);
            return;
        }

        replies.Writer.TryWrite(line);
    }

    private string ErrorTail() => errors.IsEmpty ? string.Empty : $" Its stderr:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}";
}
