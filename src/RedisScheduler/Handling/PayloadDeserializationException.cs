namespace RedisScheduler.Handling;

/// <summary>A stored payload that cannot be read as the handler's type: retrying cannot help, so the task is dead-lettered at once.</summary>
internal sealed class PayloadDeserializationException(string message, Exception innerException) : Exception(message, innerException);
