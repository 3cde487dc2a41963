namespace RedisScheduler;

/// <summary>
/// Thrown by a handler for a failure that retrying cannot fix (an order that no longer exists, a
/// payload the business rules reject): the task moves to the dead letters at once. Override
/// <see cref="TaskHandlerBase{T}.IsPermanentFailure"/> to treat other exceptions the same way.
/// </summary>
public sealed class PermanentTaskFailureException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PermanentTaskFailureException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Why the task cannot succeed.</param>
    public PermanentTaskFailureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    /// <param name="message">Why the task cannot succeed.</param>
    /// <param name="innerException">The original failure.</param>
    public PermanentTaskFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
