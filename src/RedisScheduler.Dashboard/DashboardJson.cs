using System.Text.Json;
using System.Text.Json.Serialization;

namespace RedisScheduler.Dashboard;

/// <summary>How the API writes its answers: web defaults (camelCase), enums as camelCase strings, stored JSON embedded as JSON.</summary>
internal static class DashboardJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>A payload or result as stored, embedded as JSON; <see langword="null"/> when payloads are hidden or there is none.</summary>
    public static JsonElement? Embed(string? json, bool show)
    {
        if (!show || string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON (a damaged record): shown as the text it is.
            return JsonSerializer.SerializeToElement(json, Options);
        }
    }
}
