// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZkAspire.Cli.ServerControl;

/// <summary>Sends a four-letter word to a client port and reads the answer (ZooKeeper's <c>FourLetterWordMain</c>).</summary>
internal static class FourLetterWord
{
    /// <summary>Sends a command and reads until the server closes the connection.</summary>
    /// <param name="host">The host or address.</param>
    /// <param name="port">The client port.</param>
    /// <param name="command">The four-letter word, e.g. <c>srvr</c>.</param>
    /// <param name="timeout">How long the whole exchange may take.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The answer, or <see langword="null"/> when nothing answered.</returns>
    public static async Task<string?> SendAsync(string host, int port, string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new DnsEndPoint(ConnectableHost(host), port), cts.Token).ConfigureAwait(false);
            await socket.SendAsync(Encoding.ASCII.GetBytes(command), SocketFlags.None, cts.Token).ConfigureAwait(false);
            using var answer = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token).ConfigureAwait(false)) > 0)
            {
                // An answer is a few hundred bytes; a peer that streams more is not a ZooKeeper server.
                if (answer.Length > 1 << 20)
                {
                    return null;
                }

                await answer.WriteAsync(buffer.AsMemory(0, read), cts.Token).ConfigureAwait(false);
            }

            return answer.Length == 0 ? null : Encoding.UTF8.GetString(answer.ToArray());
        }
        catch (Exception e) when ((e is SocketException or OperationCanceledException or IOException) && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>A wildcard listen address is reached through loopback.</summary>
    private static string ConnectableHost(string address) => address.Trim('[', ']') switch
    {
        "0.0.0.0" => "127.0.0.1",
        "::" or "0:0:0:0:0:0:0:0" => "::1",
        var other => other,
    };
}
