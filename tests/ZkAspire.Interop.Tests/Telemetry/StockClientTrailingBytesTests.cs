// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;
using ZkAspire.Testing;

namespace ZkAspire.Interop.Tests.Telemetry;

/// <summary>
/// What stock clients do with bytes after the ConnectResponse's readOnly byte — the reason our
/// server sends its trace-context grant only to a client that asked (docs/telemetry.md). A proxy
/// appends the grant to every ConnectResponse: the Java client and kazoo ignore it. (The C client
/// reads the handshake into a fixed 40-byte buffer and its session was unusable when we tried; that
/// outcome depends on how the library was built, so it is documented in docs/telemetry.md rather
/// than asserted here.)
/// </summary>
public sealed class StockClientTrailingBytesTests : IAsyncLifetime
{
    private ZooKeeperTestServer? _server;
    private GrantingProxy? _proxy;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ZooKeeperTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    private GrantingProxy Proxy => _proxy ?? throw new InvalidOperationException("The proxy has not started.");

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        _server = await ZooKeeperTestServer.StartAsync(cancellationToken: Ct);
        _proxy = GrantingProxy.Start(_server.Port);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheJavaClientIgnoresTrailingBytes()
    {
        var path = "/trailing-java-" + Guid.NewGuid().ToString("n")[..8];
        var output = await JavaZkCli.RunScriptAsync(Proxy.ConnectionString, [$"create {path} hello", $"get {path}"], TimeSpan.FromSeconds(60), Ct);

        Assert.Contains($"Created {path}", output[0]);
        Assert.Contains("hello", output[1]);
        Assert.True(Proxy.Patched > 0);
    }

    [Fact]
    public async Task KazooIgnoresTrailingBytes()
    {
        var path = "/trailing-kazoo-" + Guid.NewGuid().ToString("n")[..8];
        const string Script = """
            import sys
            from kazoo.client import KazooClient
            zk = KazooClient(hosts=sys.argv[1], timeout=10)
            zk.start(timeout=10)
            zk.create(sys.argv[2], b"hello")
            print("data", zk.get(sys.argv[2])[0].decode())
            zk.stop()
            """;

        var result = await ExternalProcess.RunAsync("/usr/bin/python3", ["-c", Script, Proxy.ConnectionString, path], timeout: TimeSpan.FromSeconds(60), cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("data hello", result.OutputLines);
        Assert.True(Proxy.Patched > 0);
    }

    /// <summary>A TCP proxy that appends the trace-context grant to the first frame from the server: the ConnectResponse.</summary>
    private sealed class GrantingProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly int _target;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _pumps = [];
        private readonly Task _accept;
        private int _patched;

        private GrantingProxy(int target)
        {
            _target = target;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accept = AcceptAsync();
        }

        public string ConnectionString => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Gets how many ConnectResponses were given trailing bytes.</summary>
        public int Patched => Volatile.Read(ref _patched);

        public static GrantingProxy Start(int target) => new(target);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accept.ConfigureAwait(false);
            Task[] pumps;
            lock (_pumps)
            {
                pumps = [.. _pumps];
            }

            await Task.WhenAll(pumps).WaitAsync(TimeSpan.FromSeconds(10));
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                lock (_pumps)
                {
                    _pumps.Add(RelayAsync(client));
                }
            }
        }

        private async Task RelayAsync(Socket client)
        {
            using (client)
            using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                try
                {
                    await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token);
                    using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    var up = PumpAsync(client, server, patchFirstFrame: false, connection.Token);
                    var down = PumpAsync(server, client, patchFirstFrame: true, connection.Token);
                    await Task.WhenAny(up, down);
                    await connection.CancelAsync();
                    await Task.WhenAll(up, down);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                }
            }
        }

        private async Task PumpAsync(Socket from, Socket to, bool patchFirstFrame, CancellationToken cancellationToken)
        {
            var buffer = new byte[64 * 1024];
            var pending = new List<byte>();
            var patched = !patchFirstFrame;
            try
            {
                while (true)
                {
                    var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                    if (read == 0)
                    {
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    if (patched)
                    {
                        await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
                        continue;
                    }

                    pending.AddRange(buffer.AsSpan(0, read));
                    if (pending.Count < 4)
                    {
                        continue;
                    }

                    var bytes = pending.ToArray();
                    var length = BinaryPrimitives.ReadInt32BigEndian(bytes);
                    if (bytes.Length < 4 + length)
                    {
                        continue;
                    }

                    using var writer = new JuteWriter();
                    var mark = writer.BeginFrame();
                    writer.WriteRaw(bytes.AsSpan(4, length));
                    new ConnectExtension(TraceContextExtension.TraceContextFeature).Write(writer);
                    writer.EndFrame(mark);
                    writer.WriteRaw(bytes.AsSpan(4 + length));
                    await to.SendAsync(writer.WrittenMemory, SocketFlags.None, cancellationToken);
                    Interlocked.Increment(ref _patched);
                    patched = true;
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
