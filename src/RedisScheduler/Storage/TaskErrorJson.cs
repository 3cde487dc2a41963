using System.Text.Json;
using System.Text.Json.Serialization;

namespace RedisScheduler.Storage;

/// <summary>The JSON form of a <see cref="TaskError"/> in Redis, with the stack trace cut to a bounded length.</summary>
internal static partial class TaskErrorJson
{
    /// <summary>Enough for the frames that matter; a deep async stack can be tens of kilobytes.</summary>
    internal const int MaxStackTraceLength = 4_000;

    public static string From(Exception exception)
    {
        var stack = exception.ToString();
        return Serialize(new TaskError(
            exception.GetType().FullName ?? exception.GetType().Name,
            exception.Message,
            stack.Length > MaxStackTraceLength ? stack[..MaxStackTraceLength] + "…" : stack));
    }

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
