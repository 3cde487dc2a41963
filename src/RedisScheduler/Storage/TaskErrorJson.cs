using System.Text.Json;
using System.Text.Json.Serialization;

namespace RedisScheduler.Storage;

/// <summary>The JSON form of a <see cref="TaskError"/> in Redis, with the stack trace cut to a bounded length.</summary>
internal static partial class TaskErrorJson
{
    /// <summary>Enough for the frames that matter; a deep async stack can be tens of kilobytes.</summary>
    internal const int MaxStackTraceLength = 4_000;

    /// <summary>A message can be a whole HTTP response body: it is cut too, so memory per task stays bounded.</summary>
    internal const int MaxMessageLength = 2_000;

    public static string From(Exception exception)
        => Serialize(new TaskError(
            exception.GetType().FullName ?? exception.GetType().Name,
            Cut(exception.Message, MaxMessageLength),
            Cut(exception.ToString(), MaxStackTraceLength)));

    private static string Cut(string text, int length) => text.Length > length ? text[..length] + "…" : text;

    public static string Serialize(TaskError error) => JsonSerializer.Serialize(error, ErrorContext.Default.TaskError);

    public static TaskError? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, ErrorContext.Default.TaskError);
        }
        catch (JsonException)
        {
            return new TaskError("Unknown", json, null);
        }
    }

    [JsonSerializable(typeof(TaskError))]
    private sealed partial class ErrorContext : JsonSerializerContext;
}
