using System.Diagnostics;
using System.Globalization;
using RedisScheduler.LoadTest.Coordinator;
using RedisScheduler.LoadTest.Reporting;

namespace RedisScheduler.LoadTest.Workloads;

/// <summary>
/// The ceiling: what redis-benchmark gets out of the same redis-server on the same machine, without
/// any scheduler in between. One connection without pipelining is the floor of an awaited call
/// (W1 sequential); many connections with pipelining are what Redis can take at most (W1 batch, W2).
/// The script does the least a scheduled task needs: the record into a hash, the id into a sorted set.
/// </summary>
internal static class CeilingWorkload
{
    private const string MinimalSchedule = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]); return redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])";

    public static async Task<List<CeilingResult>> RunAsync(bool quick)
    {
        using var redis = MeasuredRedis.Start();
        var sha = redis.Call("SCRIPT", "LOAD", MinimalSchedule);
        var payload = new string('x', 110);
        string[] evalsha = ["evalsha", sha, "2", "{order}:tasks", "{order}:due", "m:__rand_int__", "__rand_int__", payload];
        var single = quick ? 5_000 : 20_000;
        var pipelined = quick ? 100_000 : 200_000;
        var tests = new (string Name, int Connections, int Pipeline, int Requests, string[] Command)[]
        {
            ("PING", 1, 1, single, ["-t", "ping_mbulk"]),
            ("ZADD", 1, 1, single, ["-t", "zadd"]),
            ("EVALSHA (HSET + ZADD, 110-byte payload)", 1, 1, single, evalsha),
            ("ZADD", 50, 16, pipelined, ["-t", "zadd"]),
            ("EVALSHA (HSET + ZADD, 110-byte payload)", 50, 16, pipelined, evalsha),
        };
        var results = new List<CeilingResult>();
        foreach (var (name, connections, pipeline, requests, command) in tests)
        {
            ConsoleProgress.Line($"  redis-benchmark: {name}, {connections} connection(s), pipeline {pipeline}");
            string[] arguments =
            [
                "-h", "127.0.0.1", "-p", redis.Port.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                "-P", pipeline.ToString(CultureInfo.InvariantCulture), "-n", requests.ToString(CultureInfo.InvariantCulture), "-r", "100000000", "--csv", .. command,
            ];
            var csv = await RunAsync(arguments);
            // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",...
            var row = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Split("\",\"");
            results.Add(new CeilingResult(
                name,
                connections,
                pipeline,
                double.Parse(row[1], CultureInfo.InvariantCulture),
                double.Parse(row[4], CultureInfo.InvariantCulture),
                "redis-benchmark " + string.Join(' ', arguments.Select(a => a.Length > 40 ? $"<{a.Length}-byte payload>" : a))));
        }

        return results;
    }

    private static async Task<string> RunAsync(string[] arguments)
    {
        var startInfo = new ProcessStartInfo("redis-benchmark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start redis-benchmark.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"redis-benchmark exited with code {process.ExitCode}: {await errors}");
    }
}
