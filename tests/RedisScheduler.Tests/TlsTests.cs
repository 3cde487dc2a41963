using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>
/// Scheduling and a worker over TLS, against a redis-server with <c>--tls-port</c> and a certificate
/// authority made here with openssl: the set-up the README's Redis notes describe.
/// </summary>
public sealed class TlsTests
{
    private const string ServerName = "redis.test";

    [TestCase(false, TestName = "Tls_ServerCertificateFromPrivateCa_SchedulesAndRunsTasks")]
    [TestCase(true, TestName = "Tls_ClientCertificatesRequired_SchedulesAndRunsTasks")]
    public async Task Tls_PrivateCa_SchedulesAndRunsTasks(bool clientCertificates)
    {
        var certificates = Directory.CreateTempSubdirectory("redis-tls-").FullName;
        try
        {
            var ca = MakeCertificates(certificates);
            var tlsPort = FreeLoopbackPort();
            // The plain port stays open too: the launcher's readiness check and the test's own
            // assertion connection use it. The scheduler is given only the TLS port.
            using var server = RedisServerProcess.Start(new RedisServerSettings
            {
                Arguments =
                [
                    "--tls-port", tlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--tls-cert-file", Path.Combine(certificates, "redis.crt"),
                    "--tls-key-file", Path.Combine(certificates, "redis.key"),
                    "--tls-ca-cert-file", ca,
                    "--tls-auth-clients", clientCertificates ? "yes" : "no",
                ],
            });
            var connections = new List<ConnectionMultiplexer>();
            try
            {
                // As the README shows: the configuration string says TLS, TrustIssuer trusts the private CA.
                Task<IConnectionMultiplexer> ConnectAsync()
                {
                    var redis = ConfigurationOptions.Parse($"127.0.0.1:{tlsPort},ssl=true,sslHost={ServerName}");
                    redis.TrustIssuer(ca);
                    if (clientCertificates)
                    {
                        var client = X509Certificate2.CreateFromPemFile(Path.Combine(certificates, "client.crt"), Path.Combine(certificates, "client.key"));
                        redis.CertificateSelection += delegate { return client; };
                    }

                    var connection = ConnectionMultiplexer.Connect(redis);
                    connections.Add(connection);
                    return Task.FromResult<IConnectionMultiplexer>(connection);
                }

                await using var scope = new TestScope(server);
                void OverTls(RedisSchedulerOptions o) => o.ConnectionMultiplexerFactory = ConnectAsync;
                var (_, probe) = await scope.StartWorkerAsync("A", configure: OverTls);
                var scheduler = scope.CreateScheduler(OverTls);

                var now = await scheduler.EnqueueTaskAsync(new ProbeTask(1));
                var soon = await scheduler.ScheduleTaskAsync(TimeSpan.FromMilliseconds(200), new ProbeTask(2));
                await probe.WaitForAsync(2, TimeSpan.FromSeconds(20));

                Assert.That(probe.Handled.Select(h => h.TaskId), Is.EquivalentTo(new[] { now, soon }));
                Assert.That(connections, Is.Not.Empty.And.All.Matches<ConnectionMultiplexer>(c => c.GetEndPoints().Single().ToString()!.EndsWith(":" + tlsPort, StringComparison.Ordinal)));
                await scope.WaitUntilNothingInFlightAsync();

                // The port really is TLS: a plain-text client gets no answer there.
                using var plain = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{tlsPort},abortConnect=false,connectTimeout=500");
                Assert.That(plain.IsConnected, Is.False);
                if (clientCertificates)
                {
                    var withoutCertificate = ConfigurationOptions.Parse($"127.0.0.1:{tlsPort},ssl=true,sslHost={ServerName},abortConnect=false,connectTimeout=1000");
                    withoutCertificate.TrustIssuer(ca);
                    using var refused = await ConnectionMultiplexer.ConnectAsync(withoutCertificate);
                    Assert.That(refused.IsConnected, Is.False, "without a client certificate the server refuses the connection");
                }
            }
            finally
            {
                foreach (var connection in connections)
                {
                    await connection.DisposeAsync();
                }
            }
        }
        finally
        {
            Directory.Delete(certificates, recursive: true);
        }
    }

    /// <summary>A CA, a server certificate for <see cref="ServerName"/> and 127.0.0.1, and a client certificate, all PEM.</summary>
    /// <returns>The path of the CA certificate.</returns>
    private static string MakeCertificates(string directory)
    {
        OpenSsl(directory, "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-days", "1", "-subj", "/CN=RedisScheduler test CA", "-keyout", "ca.key", "-out", "ca.crt");
        File.WriteAllText(Path.Combine(directory, "server.ext"), $"subjectAltName=DNS:{ServerName},IP:127.0.0.1\n");
        File.WriteAllText(Path.Combine(directory, "client.ext"), "extendedKeyUsage=clientAuth\n");
        foreach (var (name, subject) in new[] { ("redis", ServerName), ("client", "RedisScheduler test client") })
        {
            OpenSsl(directory, "req", "-new", "-nodes", "-newkey", "rsa:2048", "-subj", "/CN=" + subject, "-keyout", name + ".key", "-out", name + ".csr");
            OpenSsl(directory, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
                "-extfile", name == "redis" ? "server.ext" : "client.ext", "-out", name + ".crt");
        }

        return Path.Combine(directory, "ca.crt");
    }

    private static void OpenSsl(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                "openssl was not found; the TLS tests make their certificate authority with it. Install it (Debian/Ubuntu: sudo apt-get install -y openssl; " +
                "eng/test.sh installs it when run as root).", e);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(30_000) || process.ExitCode != 0)
            {
                throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {errors.Result}");
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
