using System.Text.Json;

namespace RedisScheduler;

/// <summary>The end of a task, from <see cref="ITaskScheduler.WaitForCompletionAsync"/>.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="ResultJson">The result in JSON when <see cref="Outcome"/> is <see cref="TaskOutcome.Succeeded"/>.</param>
/// <param name="Error">Why it failed when <see cref="Outcome"/> is <see cref="TaskOutcome.DeadLettered"/>.</param>
public sealed record TaskCompletion(string TaskId, TaskOutcome Outcome, string? ResultJson, TaskError? Error)
{
    /// <summary>Reads the result as <typeparamref name="TResult"/>.</summary>
    /// <typeparam name="TResult">The handler's result type.</typeparam>
    /// <param name="options">The options to read it with; <see cref="JsonSerializerDefaults.Web"/> when <see langword="null"/>, as the scheduler writes by default.</param>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidOperationException">The task has no result: it did not succeed with one.</exception>
    public TResult? GetResult<TResult>(JsonSerializerOptions? options = null)
        => ResultJson is null
            ? throw new InvalidOperationException($"Task {TaskId} has no result: its outcome is {Outcome}.")
            : JsonSerializer.Deserialize<TResult>(ResultJson, options ?? JsonSerializerOptions.Web);
}
