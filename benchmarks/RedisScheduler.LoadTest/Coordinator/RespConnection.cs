using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedisScheduler.LoadTest.Coordinator;

/// <summary>
/// A minimal RESP client for the coordinator's few commands (INFO, SCRIPT LOAD): one socket, one
/// command at a time, replies as text. Arrays are not needed and not supported.
/// </summary>
internal sealed class RespConnection : IDisposable
{
    private readonly Socket socket;
    private readonly BufferedStream stream;

    public RespConnection(int port)
    {
        socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 30_000 };
        socket.Connect(IPAddress.Loopback, port);
        stream = new BufferedStream(new NetworkStream(socket, ownsSocket: false));
    }

    public string Call(params string[] command)
    {
        var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{command.Length}\r\n");
        foreach (var part in command)
        {
            request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        stream.Write(Encoding.UTF8.GetBytes(request.ToString()));
        stream.Flush();
        var header = ReadLine();
        switch (header[0])
        {
            case '+':
            case ':':
                return header[1..];
            case '-':
                throw new InvalidOperationException($"Redis answered {string.Join(' ', command.Take(2))} with an error: {header[1..]}");
            case '$':
                var length = int.Parse(header.AsSpan(1), CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return string.Empty;
                }

                var body = new byte[length + 2];
                stream.ReadExactly(body);
                return Encoding.UTF8.GetString(body, 0, length);
            default:
                throw new NotSupportedException($"Unexpected RESP reply '{header}' to {command[0]}.");
        }
    }

    public void Dispose()
    {
        stream.Dispose();
        socket.Dispose();
    }

    private string ReadLine()
    {
        var line = new StringBuilder();
        while (true)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new IOException("Redis closed the connection.");
            }

            if (b == '\r')
            {
                stream.ReadByte(); // '\n'
                return line.ToString();
            }

            line.Append((char)b);
        }
    }
}
