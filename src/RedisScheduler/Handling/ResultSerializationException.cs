namespace RedisScheduler.Handling;

/// <summary>A handler's result that cannot be stored (not serializable, or too large): retrying cannot help, so the task is dead-lettered.</summary>
internal sealed class ResultSerializationException(string message, Exception innerException) : Exception(message, innerException);
