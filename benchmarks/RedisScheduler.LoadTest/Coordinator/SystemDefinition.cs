using System.Reflection;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>A system under test: which agent runs it and with which settings.</summary>
/// <param name="Name">The command-line name (<c>--systems</c>).</param>
/// <param name="Title">The name in tables and charts.</param>
/// <param name="AgentAssembly">The agent's dll, run with <c>dotnet DLL agent ...</c>.</param>
/// <param name="Settings">The agent's <c>--set key=value</c> settings.</param>
/// <param name="ClientFamily">Systems of one family share a client (W1 and W4 do not depend on the server's settings), so those are measured once per family.</param>
/// <param name="PollingInterval">How often the system looks for due tasks when idle: how long W3 waits after the last due instant.</param>
/// <param name="SupportsBatch">Whether the client has a batch API; the bulk filling of a schedule uses it, else concurrent callers.</param>
internal sealed record SystemDefinition(
    string Name,
    string Title,
    string AgentAssembly,
    IReadOnlyList<string> Settings,
    string ClientFamily,
    TimeSpan PollingInterval,
    bool SupportsBatch)
{
    public bool IsHangfire => ClientFamily == "hangfire";

    public static IReadOnlyList<SystemDefinition> All { get; } = Create();

    /// <summary>StackExchange.Redis alone with a minimal schedule script: the client-side ceiling, measured with the ceiling workload (W1 only).</summary>
    public static SystemDefinition BareClient { get; } = new(
        "bare-client", "StackExchange.Redis alone", typeof(SystemDefinition).Assembly.Location, [], "bare-client", TimeSpan.Zero, SupportsBatch: true);

    private static List<SystemDefinition> Create()
    {
        var self = typeof(SystemDefinition).Assembly.Location;
        var hangfire = typeof(SystemDefinition).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "HangfireAgentPath").Value!;
        return
        [
            // Every RedisScheduler option at its default; MaxIdleDelay (1 s) only matters if a wake-up is lost.
            new("redisscheduler", "RedisScheduler", self, [], "redisscheduler", TimeSpan.FromSeconds(1), SupportsBatch: true),
            // Hangfire's defaults: SchedulePollingInterval 15 s, FetchTimeout 3 min.
            new("hangfire", "Hangfire (defaults)", hangfire, [], "hangfire", TimeSpan.FromSeconds(15), SupportsBatch: false),
            new("hangfire-1s", "Hangfire (1 s polling)", hangfire, ["polling-ms=1000", "fetch-timeout-ms=1000"], "hangfire", TimeSpan.FromSeconds(1), SupportsBatch: false),
            new("hangfire-100ms", "Hangfire (100 ms polling)", hangfire, ["polling-ms=100", "fetch-timeout-ms=100"], "hangfire", TimeSpan.FromMilliseconds(100), SupportsBatch: false),
        ];
    }
}
