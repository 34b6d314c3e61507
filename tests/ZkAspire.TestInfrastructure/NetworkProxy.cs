// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// A TCP proxy in front of a server, so a test can cut one client's network without touching the
/// server or other clients: <see cref="Drop"/> closes the connections (the client reconnects
/// through the proxy at once: Suspended, then Reconnected with the same session),
/// <see cref="Refuse"/> also closes every new connection (the client stays Suspended), and
/// <see cref="Forward"/> lets connections through again.
/// </summary>
public sealed class NetworkProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private volatile bool _refusing;

    /// <summary>Starts a proxy to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    /// <param name="targetPort">The server's port.</param>
    public NetworkProxy(int targetPort)
    {
        _target = targetPort;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(32);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the proxy's port.</summary>
    public int Port { get; }

    /// <summary>Gets the proxy's connection string.</summary>
    public string ConnectionString => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Closes every connection; new ones go through.</summary>
    public void Drop()
    {
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            _sockets.Clear();
        }
    }

    /// <summary>Closes every connection, and every new one at once.</summary>
    public void Refuse()
    {
        _refusing = true;
        Drop();
    }

    /// <summary>Lets new connections through again.</summary>
    public void Forward() => _refusing = false;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Drop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptAsync(_stop.Token);
            if (_refusing)
            {
                client.Dispose();
                continue;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_gate)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
