using System.Text.Json;
using System.Text.Json.Serialization;

namespace RedisScheduler.LoadTest.Reporting;

/// <summary>The files of a run: results.md, results.json, lateness.png and throughput.png.</summary>
internal static class ResultFiles
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // W3 marks a task that never ran with NaN.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Read-only collections (SystemResult.Schedule, ...) are filled in place when read back.
        PreferredObjectCreationHandling = JsonObjectCreationHandling.Populate,
    };

    /// <summary>Writes every file and returns the markdown.</summary>
    public static async Task<string> WriteAsync(RunResult run, string directory, bool includeJson = true)
    {
        Directory.CreateDirectory(directory);
        var markdown = MarkdownReport.Write(run);
        await File.WriteAllTextAsync(Path.Combine(directory, "results.md"), markdown);
        if (includeJson)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(run, Json));
        }

        Charts.Write(run, directory);
        return markdown;
    }

    public static async Task<RunResult> ReadAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<RunResult>(stream, Json)
            ?? throw new InvalidDataException($"{path} holds no load test results.");
    }
}
