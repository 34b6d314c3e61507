// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZkAspire.TestInfrastructure;

/// <summary>Sends a four-letter word and reads the text answer until the server closes.</summary>
public static class FourLetterWordClient
{
    /// <summary>Sends <paramref name="command"/> to 127.0.0.1:<paramref name="port"/>.</summary>
    /// <param name="port">The client port.</param>
    /// <param name="command">The command, e.g. <c>srvr</c>.</param>
    /// <param name="timeout">How long to wait for the whole answer.</param>
    /// <returns>The answer.</returns>
    public static async Task<string> SendAsync(int port, string command, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(command), SocketFlags.None, cts.Token);
        using var output = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (read == 0)
            {
                break;
            }

            await output.WriteAsync(buffer.AsMemory(0, read), cts.Token);
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }
}
