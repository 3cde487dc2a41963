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
            throw NotSerializable(typeof(T), e, nameof(payload));
        }

        return WithinLimit(json, typeof(T), nameof(payload));
    }

    /// <summary>
    /// The non-generic <see cref="Serialize{T}"/>, for a payload whose class the application registered
    /// (an admin API's): through the options' <see cref="JsonTypeInfo"/>, so no generic method is made
    /// at run time and a source-generated context serves it when trimmed.
    /// </summary>
    public byte[] Serialize(object payload, Type payloadType)
    {
        ArgumentNullException.ThrowIfNull(payload);
        byte[] json;
        try
        {
            json = JsonSerializer.SerializeToUtf8Bytes(payload, jsonOptions.GetTypeInfo(payloadType));
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw NotSerializable(payloadType, e, nameof(payload));
        }

        return WithinLimit(json, payloadType, nameof(payload));
    }

    /// <summary>Reads JSON received by an admin API into a registered payload class, with the scheduler's JSON options.</summary>
    /// <exception cref="JsonException">The JSON does not fit the class.</exception>
    /// <exception cref="NotSupportedException">The class cannot be read from JSON with these options.</exception>
    public object? Deserialize(JsonElement json, Type payloadType) => json.Deserialize(jsonOptions.GetTypeInfo(payloadType));

    public T Deserialize<T>(ReadOnlySpan<byte> json)
        => JsonSerializer.Deserialize(json, TypeInfo<T>())
            ?? throw new JsonException($"The stored payload of a {typeof(T).Name} task is JSON null.");

    private static ArgumentException NotSerializable(Type type, Exception e, string paramName)
        => new(
            $"The payload of type '{type}' cannot be serialized to JSON: {e.Message} " +
            "Make the type JSON-serializable (public properties, no cycles), or register a JsonSerializerContext that covers it in RedisSchedulerOptions.JsonSerializerOptions.",
            paramName,
            e);

    private byte[] WithinLimit(byte[] json, Type type, string paramName)
        => json.Length <= maxPayloadBytes
            ? json
            : throw new ArgumentException(
                $"The payload of type '{type}' is {json.Length} bytes as JSON, over the limit of {maxPayloadBytes} bytes. " +
                "Store large data elsewhere and schedule a reference to it, or raise RedisSchedulerOptions.MaxPayloadBytes.",
                paramName);

    private JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)jsonOptions.GetTypeInfo(typeof(T));
}
