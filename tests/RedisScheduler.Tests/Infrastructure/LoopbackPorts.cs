using System.Net;
using System.Net.Sockets;

namespace RedisScheduler.Tests.Infrastructure;

/// <summary>
/// Ports chosen before the servers start, because Cluster nodes and Sentinels must be told each
/// other's ports. A Cluster node also listens on its port + 10000 (the cluster bus), so both must be
/// free. Bind-and-release can still race another program; the fixtures then fail with the server's output.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>Finds <paramref name="count"/> distinct free ports whose port + <paramref name="alsoFreeAt"/> is free too (0: no second port).</summary>
    public static int[] Find(int count, int alsoFreeAt = 0)
    {
        var found = new List<int>();
        while (found.Count < count)
        {
            // Above the usual fixed service ports, and low enough that port + alsoFreeAt is a port too.
            var port = Random.Shared.Next(20_000, 65_000 - alsoFreeAt);
            if (!found.Contains(port) && !found.Contains(port + alsoFreeAt) && IsFree(port) && (alsoFreeAt == 0 || IsFree(port + alsoFreeAt)))
            {
                found.Add(port);
            }
        }

        return [.. found];
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
