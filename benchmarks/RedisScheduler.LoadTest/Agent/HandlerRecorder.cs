namespace RedisScheduler.LoadTest.Agent;

/// <summary>
/// What the no-op handler does: note which task started and when (UTC ticks of the shared system
/// clock, so the coordinator can compare them with due times it chose). Lock-free and allocation-free
/// so that recording costs the handler nothing measurable; written to a file when the worker stops.
/// </summary>
internal static class HandlerRecorder
{
    private static int[] orderIds = [];
    private static long[] startTicks = [];
    private static int count;

    /// <summary>How many handlers have started, including any beyond the capacity.</summary>
    public static int Count => Volatile.Read(ref count);

    public static void Initialize(int capacity)
    {
        orderIds = new int[capacity];
        startTicks = new long[capacity];
        count = 0;
    }

    public static void Record(int orderId)
    {
        var now = DateTime.UtcNow.Ticks;
        var slot = Interlocked.Increment(ref count) - 1;
        if (slot < orderIds.Length)
        {
            orderIds[slot] = orderId;
            startTicks[slot] = now;
        }
    }

    /// <summary>Writes the records as a count followed by (order id, start ticks) pairs.</summary>
    public static int WriteTo(string path)
    {
        var recorded = Math.Min(Count, orderIds.Length);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(recorded);
        for (var i = 0; i < recorded; i++)
        {
            writer.Write(orderIds[i]);
            writer.Write(startTicks[i]);
        }

        return recorded;
    }

    public static List<(int OrderId, long StartTicks)> ReadFrom(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var recorded = reader.ReadInt32();
        var records = new List<(int, long)>(recorded);
        for (var i = 0; i < recorded; i++)
        {
            records.Add((reader.ReadInt32(), reader.ReadInt64()));
        }

        return records;
    }
}
