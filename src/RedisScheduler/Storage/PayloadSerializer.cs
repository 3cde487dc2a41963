using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace RedisScheduler.Storage;

/// <summary>Turns payloads into the UTF-8 JSON stored in Redis and back, enforcing the size cap.</summary>
internal sealed class PayloadSerializer
{
    private readonly JsonSerializerOptions jsonOptions;
    private readonly int maxPayloadBytes;

    public PayloadSerializer(IOptions<RedisSchedulerOptions> options)
    {
        jsonOptions = options.Value.JsonSerializerOptions;
        // Freezing fills in the reflection resolver when the options have none, and makes later
        // changes by the application fail loudly instead of racing with serialization.
        jsonOptions.MakeReadOnly(populateMissingResolver: JsonSerializer.IsReflectionEnabledByDefault);
        maxPayloadBytes = options.Value.MaxPayloadBytes;
    }

    public byte[] Serialize<T>(T payload)
    {
        if (payload is null)
        {
            throw new ArgumentNullException(nameof(payload), $"The payload of a {typeof(T).Name} task is null; pass the object the handler should receive.");
        }

        byte[] json;
        try
        {
            json = JsonSerializer.SerializeToUtf8Bytes(payload, TypeInfo<T>());
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new ArgumentException(
                $"The payload of type '{typeof(T)}' cannot be serialized to JSON: {e.Message} " +
                "Make the type JSON-serializable (public properties, no cycles), or register a JsonSerializerContext that covers it in RedisSchedulerOptions.JsonSerializerOptions.",
                nameof(payload),
                e);
        }

        if (json.Length > maxPayloadBytes)
        {
            throw new ArgumentException(
                $"The payload of type '{typeof(T)}' is {json.Length} bytes as JSON, over the limit of {maxPayloadBytes} bytes. " +
                "Store large data elsewhere and schedule a reference to it, or raise RedisSchedulerOptions.MaxPayloadBytes.",
                nameof(payload));
        }

        return json;
    }

    public T Deserialize<T>(ReadOnlySpan<byte> json)
        => JsonSerializer.Deserialize(json, TypeInfo<T>())
            ?? throw new JsonException($"The stored payload of a {typeof(T).Name} task is JSON null.");

    private JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)jsonOptions.GetTypeInfo(typeof(T));
}
