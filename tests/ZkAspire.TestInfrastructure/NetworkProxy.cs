// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// A TCP proxy on a free loopback port in front of a server: the network path a test can break
/// without touching the server or other clients. <see cref="Drop"/> resets every connection (the
/// client reconnects through the proxy at once: Suspended, then Reconnected with the same session),
/// <see cref="Blackhole"/> stops forwarding without closing anything (the client must notice by
/// its read timeout), <see cref="Refuse"/> closes every new connection at once (a server that is
/// down), and <see cref="Forward"/> restores normal service.
/// </summary>
public sealed class NetworkProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<(Socket Client, Socket Server)> _connections = [];
    private readonly Task _acceptLoop;
    private TaskCompletionSource _forwarding = NewOpenGate();
    private volatile bool _refusing;
    private int _accepted;

    /// <summary>Starts a proxy to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    /// <param name="targetPort">The server's port.</param>
    public NetworkProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptAsync();
    }

    /// <summary>Gets the proxy's port.</summary>
    public int Port { get; }

    /// <summary>Gets the proxy's connection string.</summary>
    public string ConnectionString => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets how many connections the proxy has accepted.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Forwards traffic normally.</summary>
    public void Forward()
    {
        _refusing = false;
        lock (_lock)
        {
            _forwarding.TrySetResult();
        }
    }

    /// <summary>Stops forwarding bytes in both directions; connections stay open and new ones are accepted but hang.</summary>
    public void Blackhole()
    {
        lock (_lock)
        {
            if (_forwarding.Task.IsCompleted)
            {
                _forwarding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Drops every connection and closes new ones at once, like a server that is down.</summary>
    public void Refuse()
    {
        // Refuse from now on; Forward opens the gate for pumps held by Blackhole, so they end with
        // their connections, but also clears the refusal, which is therefore set again after it.
        _refusing = true;
        Forward();
        _refusing = true;
        Drop();
    }

    /// <summary>Resets every open connection.</summary>
    public void Drop()
    {
        List<(Socket Client, Socket Server)> connections;
        lock (_lock)
        {
            connections = [.. _connections];
            _connections.Clear();
        }

        foreach (var (client, server) in connections)
        {
            Reset(client);
            Reset(server);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Forward();
        Drop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            if (_refusing)
            {
                Reset(client);
                continue;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            Reset(client);
            server.Dispose();
            return;
        }

        lock (_lock)
        {
            _connections.Add((client, server));
        }

        await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        Reset(client);
        Reset(server);
        lock (_lock)
        {
            _connections.Remove((client, server));
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
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                Task gate;
                lock (_lock)
                {
                    gate = _forwarding.Task;
                }

                await gate.WaitAsync(_stop.Token);
                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            Reset(from);
            Reset(to);
        }
    }
}
