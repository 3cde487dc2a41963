using System.Globalization;

namespace RedisScheduler.LoadTest.Agent;

/// <summary>
/// The agent's command line: <c>agent --system NAME --role client|worker --redis HOST:PORT
/// [--concurrency N] [--capacity N] [--set key=value]...</c>, where <c>--set</c> passes a
/// system-specific setting (Hangfire's polling interval, for example).
/// </summary>
internal sealed class AgentArguments
{
    public required string System { get; init; }

    public required bool IsWorker { get; init; }

    public required string Redis { get; init; }

    public int Concurrency { get; init; } = 32;

    /// <summary>How many handler starts a worker can record.</summary>
    public int Capacity { get; init; } = 1_000_000;

    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    public static AgentArguments Parse(IReadOnlyList<string> args)
    {
        string? system = null, role = null, redis = null;
        int concurrency = 32, capacity = 1_000_000;
        var settings = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "agent":
                    break;
                case "--system":
                    system = Value();
                    break;
                case "--role":
                    role = Value();
                    break;
                case "--redis":
                    redis = Value();
                    break;
                case "--concurrency":
                    concurrency = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--capacity":
                    capacity = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--set":
                    var pair = Value().Split('=', 2);
                    settings.Add(new(pair[0], pair.Length > 1 ? pair[1] : string.Empty));
                    break;
                default:
                    throw new ArgumentException($"Unknown agent argument '{args[i]}'.");
            }
        }

        var parsed = new AgentArguments
        {
            System = system ?? throw new ArgumentException("--system is required."),
            IsWorker = (role ?? throw new ArgumentException("--role is required.")) switch
            {
                "worker" => true,
                "client" => false,
                _ => throw new ArgumentException($"--role must be client or worker, not '{role}'."),
            },
            Redis = redis ?? throw new ArgumentException("--redis is required."),
            Concurrency = concurrency,
            Capacity = capacity,
        };
        foreach (var (key, value) in settings)
        {
            parsed.Settings[key] = value;
        }

        return parsed;
    }

    public int? IntSetting(string key)
        => Settings.TryGetValue(key, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : null;
}
