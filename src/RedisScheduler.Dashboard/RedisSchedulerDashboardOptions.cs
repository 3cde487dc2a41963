namespace RedisScheduler.Dashboard;

/// <summary>
/// Options of the endpoints <c>MapRedisSchedulerDashboard</c> maps. Checked when they are mapped,
/// so an invalid value stops the application at start.
/// </summary>
public sealed class RedisSchedulerDashboardOptions
{
    /// <summary>Refuses every call that changes something (403), leaving the reading ones.</summary>
    /// <value>Default: <see langword="false"/>.</value>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// Shows task payloads, recurring schedules' payloads and results. Set to <see langword="false"/>
    /// when they may hold personal or secret data: they are then left out of every answer.
    /// </summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool ShowPayloads { get; set; } = true;

    /// <summary>
    /// Serves requests from other machines although the endpoints carry no authorization policy.
    /// Leave it off and call <c>RequireAuthorization(...)</c> on what <c>MapRedisSchedulerDashboard</c>
    /// returns: without either, only requests from a loopback address are served, and any other gets 403.
    /// </summary>
    /// <value>Default: <see langword="false"/>.</value>
    public bool AllowRemoteWithoutAuthorization { get; set; }

    /// <summary>How many items a list returns when the request names no <c>count</c>: 1 to 500.</summary>
    /// <value>Default: 50.</value>
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>
    /// How often the dashboard's pages fetch fresh figures, without reloading. <see cref="TimeSpan.Zero"/>
    /// turns live refresh off; otherwise 500 ms to 10 minutes.
    /// </summary>
    /// <value>Default: 2 seconds.</value>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Every problem with these options, each saying how to fix it; empty when they are valid.</summary>
    internal IEnumerable<string> Validate()
    {
        if (DefaultPageSize is < 1 or > DashboardInput.MaxPageSize)
        {
            yield return $"RedisSchedulerDashboardOptions.DefaultPageSize is {DefaultPageSize}: use 1 to {DashboardInput.MaxPageSize}.";
        }

        if (RefreshInterval != TimeSpan.Zero && (RefreshInterval < TimeSpan.FromMilliseconds(500) || RefreshInterval > TimeSpan.FromMinutes(10)))
        {
            yield return $"RedisSchedulerDashboardOptions.RefreshInterval is {RefreshInterval}: use 500 ms to 10 minutes, or TimeSpan.Zero to turn live refresh off.";
        }
    }
}
