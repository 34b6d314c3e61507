// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using Microsoft.Extensions.Logging;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests.Infrastructure;

/// <summary>
/// An ensemble of <see cref="ZooKeeperServer"/>s in this process, each with its own data
/// directory and free 127.0.0.1 ports (client, quorum, election), configured as zoo.cfg would:
/// <c>server.N=127.0.0.1:quorumPort:electionPort[:observer]</c> and <c>myid</c>.
/// </summary>
internal sealed class TestEnsemble : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zkaspire-ensemble-" + Guid.NewGuid().ToString("n"));

    private TestEnsemble(int count, int observers, Action<ZooKeeperServerOptions>? configure, ILoggerFactory? loggerFactory)
    {
        var lines = new Dictionary<long, string>();
        for (var id = 1; id <= count; id++)
        {
            var observer = id > count - observers;
            lines[id] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port()}:{Port()}{(observer ? ":observer" : string.Empty)}");
        }

        for (var id = 1; id <= count; id++)
        {
            var options = TestServers.Options(o =>
            {
                o.ClientPort = Port();
                o.DataDir = Path.Combine(_root, "server" + id.ToString(CultureInfo.InvariantCulture));
                o.ServerId = id;
                o.TickTimeMs = 200;
                o.InitLimit = 10;
                o.SyncLimit = 5;
                o.ForceSync = false;
                o.PreAllocSizeKb = 64;
                o.TxnLogSizeLimitInKb = 1024;
                foreach (var (sid, line) in lines)
                {
                    o.Servers[sid] = line;
                }

                configure?.Invoke(o);
            });
            Servers.Add(new ZooKeeperServer(options, loggerFactory));
        }
    }

    private readonly HashSet<int> _ports = [];

    /// <summary>Gets the servers; index i is server.(i+1).</summary>
    public List<ZooKeeperServer> Servers { get; } = [];

    /// <summary>Gets the connection string naming every server.</summary>
    public string ConnectionString => string.Join(',', Servers.Select(s => "127.0.0.1:" + s.Options.ClientPort.ToString(CultureInfo.InvariantCulture)));

    // Distinct ports below the kernel's ephemeral range (as ZooKeeper's PortAssignment, and the
    // process harness in ZkAspire.TestInfrastructure): the peers dial out all the time, and a port
    // from bind(0) can become one of those connections' source port before its server binds it.
    private int Port()
    {
        var high = 29999;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            high = Math.Max(12000, int.Parse(range[0], CultureInfo.InvariantCulture) - 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }

        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(11000, high + 1);
            if (!_ports.Contains(port) && IsFree(port))
            {
                _ports.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException("No distinct free port.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Creates and starts an ensemble.</summary>
    public static async Task<TestEnsemble> StartAsync(int count = 3, int observers = 0, Action<ZooKeeperServerOptions>? configure = null, ILoggerFactory? loggerFactory = null, Action<ZooKeeperServer>? prepare = null)
    {
        var ensemble = new TestEnsemble(count, observers, configure, loggerFactory);
        try
        {
            foreach (var server in ensemble.Servers)
            {
                prepare?.Invoke(server);
            }

            await Task.WhenAll(ensemble.Servers.Select(s => s.StartAsync(TestContext.Current.CancellationToken)));
        }
        catch
        {
            await ensemble.DisposeAsync();
            throw;
        }

        return ensemble;
    }

    /// <summary>Gets a server's mode as srvr reports it: leader, follower, observer, or looking when it is not serving (or down).</summary>
    public static async Task<string> ModeAsync(ZooKeeperServer server)
    {
        if (!server.IsRunning)
        {
            return "down";
        }

        string text;
        try
        {
            text = await FourLetterWordClient.SendAsync(server.Port, "srvr", TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException)
        {
            return "unreachable";
        }

        if (text.StartsWith("This ZooKeeper instance is not currently serving requests", StringComparison.Ordinal))
        {
            return "looking";
        }

        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("Mode: ", StringComparison.Ordinal));
        return line?["Mode: ".Length..] ?? "?";
    }

    /// <summary>Waits until the running servers have one leader and the rest follow or observe; returns the leader.</summary>
    public async Task<ZooKeeperServer> WaitForLeaderAsync(TimeSpan? timeout = null)
    {
        ZooKeeperServer? leader = null;
        var last = string.Empty;
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    var running = Servers.Where(s => s.IsRunning).ToList();
                    var modes = await Task.WhenAll(running.Select(ModeAsync));
                    last = string.Join(", ", modes);
                    var leaders = running.Where((_, i) => modes[i] == "leader").ToList();
                    leader = leaders.Count == 1 ? leaders[0] : null;
                    return leader is not null && modes.All(m => m is "leader" or "follower" or "observer");
                },
                timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException("No leader with everyone serving; modes: " + last, e);
        }

        return leader!;
    }

    /// <summary>Waits until a server is serving (leader, follower or observer).</summary>
    public static Task WaitServingAsync(ZooKeeperServer server, TimeSpan? timeout = null) =>
        Poll.UntilAsync(async () => await ModeAsync(server) is "leader" or "follower" or "observer", timeout ?? TimeSpan.FromSeconds(30));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
