// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZkAspire.Client.Internal;

/// <summary>Leaving a read-only server for a read-write one.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>The Java client's first and largest wait between read-write probes (minPingRwTimeout, maxPingRwTimeout).</summary>
    private static readonly TimeSpan FirstProbeDelay = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan MaxProbeDelay = TimeSpan.FromSeconds(60);

    /// <summary>
    /// While connected to a read-only server, asks the other servers in turn whether they are
    /// read-write (the <c>isro</c> four-letter word), backing off from 100 ms to 60 s, as the Java
    /// client's <c>pingRwServer</c> does. Finding one ends the connection, and the next connection
    /// goes there.
    /// </summary>
    private async Task FindReadWriteServerAsync(Wire wire, CancellationToken cancellationToken)
    {
        var delay = FirstProbeDelay;
        var current = Server!;
        while (true)
        {
            foreach (var candidate in _hosts.Others(current))
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 > MaxProbeDelay ? MaxProbeDelay : delay * 2;
                if (await IsReadWriteAsync(candidate, cancellationToken).ConfigureAwait(false))
                {
                    throw new ReadWriteServerFoundException(candidate);
                }
            }

            if (!wire.ReadOnly)
            {
                return;
            }
        }
    }

    private async Task<bool> IsReadWriteAsync(DnsEndPoint server, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1000, _negotiatedTimeout / 3)), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(server, linked.Token).ConfigureAwait(false);
            await socket.SendAsync("isro"u8.ToArray(), SocketFlags.None, linked.Token).ConfigureAwait(false);
            var buffer = new byte[16];
            var length = 0;
            while (length < buffer.Length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, linked.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return Encoding.ASCII.GetString(buffer, 0, length) == "rw";
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Ends a read-only connection because a read-write server answered.</summary>
    /// <param name="server">The read-write server.</param>
    private sealed class ReadWriteServerFoundException(DnsEndPoint server) : Exception($"Majority server found at {server}")
    {
        public DnsEndPoint Server { get; } = server;
    }
}
