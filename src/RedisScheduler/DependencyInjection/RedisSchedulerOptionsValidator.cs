using Microsoft.Extensions.Options;

namespace RedisScheduler;

/// <summary>Checks <see cref="RedisSchedulerOptions"/> when the host starts; each message says how to fix the value.</summary>
internal sealed class RedisSchedulerOptionsValidator : IValidateOptions<RedisSchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisSchedulerOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Configuration) && options.ConnectionMultiplexerFactory is null)
        {
            failures.Add("RedisSchedulerOptions.Configuration is empty: set it to a StackExchange.Redis configuration string such as \"localhost:6379\", or set ConnectionMultiplexerFactory.");
        }

        if (string.IsNullOrWhiteSpace(options.KeyPrefix) || options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            failures.Add($"RedisSchedulerOptions.KeyPrefix '{options.KeyPrefix}' is invalid: use a non-empty prefix without '{{' or '}}', such as \"myapp\" (the scheduler adds its own hash tags).");
        }

        if (options.JsonSerializerOptions is null)
        {
            failures.Add("RedisSchedulerOptions.JsonSerializerOptions is null: leave the default or assign options, for example MyJsonContext.Default.Options.");
        }

        if (options.MaxPayloadBytes < 1)
        {
            failures.Add($"RedisSchedulerOptions.MaxPayloadBytes is {options.MaxPayloadBytes}: set a positive byte count (default 262144).");
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(1) || options.LeaseDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"RedisSchedulerOptions.LeaseDuration is {options.LeaseDuration}: set it from 1 second to 1 day (default 30 seconds).");
        }

        if (options.MaxIdleDelay < TimeSpan.FromMilliseconds(10) || options.MaxIdleDelay > TimeSpan.FromMinutes(5))
        {
            failures.Add($"RedisSchedulerOptions.MaxIdleDelay is {options.MaxIdleDelay}: set it from 10 ms to 5 minutes (default 1 second).");
        }

        if (options.DispatchBatchSize is < 1 or > 5000)
        {
            failures.Add($"RedisSchedulerOptions.DispatchBatchSize is {options.DispatchBatchSize}: set it from 1 to 5000 (default 500).");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero || options.ShutdownTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"RedisSchedulerOptions.ShutdownTimeout is {options.ShutdownTimeout}: set it from zero to 1 hour (default 10 seconds).");
        }

        if (options.DeadLetterRetention is { } retention && (retention < TimeSpan.FromSeconds(1) || retention > TimeSpan.FromDays(3650)))
        {
            failures.Add($"RedisSchedulerOptions.DeadLetterRetention is {retention}: set it from 1 second to 10 years, or null to keep dead letters until they are deleted (default 7 days).");
        }

        if (options.ResultRetention < TimeSpan.FromSeconds(1) || options.ResultRetention > TimeSpan.FromDays(3650))
        {
            failures.Add($"RedisSchedulerOptions.ResultRetention is {options.ResultRetention}: set it from 1 second to 10 years (default 1 day).");
        }

        if (options.SucceededHistoryLimit is < 0 or > 1_000_000)
        {
            failures.Add($"RedisSchedulerOptions.SucceededHistoryLimit is {options.SucceededHistoryLimit}: set it from 0 (keep no history) to 1,000,000 (default 10,000).");
        }

        if (options.HeartbeatInterval < TimeSpan.FromMilliseconds(100) || options.HeartbeatInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add($"RedisSchedulerOptions.HeartbeatInterval is {options.HeartbeatInterval}: set it from 100 ms to 5 minutes (default 5 seconds).");
        }
        else if (options.HeartbeatTimeout < 2 * options.HeartbeatInterval || options.HeartbeatTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"RedisSchedulerOptions.HeartbeatTimeout is {options.HeartbeatTimeout}: set it from twice HeartbeatInterval ({2 * options.HeartbeatInterval}) to 1 hour (default 15 seconds).");
        }

        if (options.WaitForReplicas is < 0 or > 100)
        {
            failures.Add($"RedisSchedulerOptions.WaitForReplicas is {options.WaitForReplicas}: set it from 0 (do not wait, the default) to the number of replicas each master has.");
        }

        if (options.WaitForReplicasTimeout < TimeSpan.FromMilliseconds(1) || options.WaitForReplicasTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"RedisSchedulerOptions.WaitForReplicasTimeout is {options.WaitForReplicasTimeout}: set it from 1 ms to 1 minute, below the connection's asyncTimeout (default 1 second).");
        }

        if (options.Retry is null)
        {
            failures.Add("RedisSchedulerOptions.Retry is null: leave the default or assign a RetryPolicy.");
        }
        else
        {
            failures.AddRange(options.Retry.Validate("RedisSchedulerOptions.Retry"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
