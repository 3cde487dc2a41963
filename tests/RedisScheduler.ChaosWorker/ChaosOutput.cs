namespace RedisScheduler.ChaosWorker;

/// <summary>Writes whole lines to stdout and flushes each at once, so a SIGKILL right after cannot lose it.</summary>
internal static class ChaosOutput
{
    private static readonly object Gate = new();

    public static void WriteLine(string line)
    {
        // Console.Out is synchronized per call; the lock also keeps the flush with its own line.
        lock (Gate)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}
