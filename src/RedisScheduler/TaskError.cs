namespace RedisScheduler;

/// <summary>Why a task attempt failed, as stored in Redis.</summary>
/// <param name="ExceptionType">The full name of the exception type, or a reason such as <c>LeaseExpired</c>.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="StackTrace">The stack trace, cut to a bounded length; <see langword="null"/> when there is none.</param>
public sealed record TaskError(string ExceptionType, string Message, string? StackTrace);
