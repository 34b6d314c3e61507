// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZkAspire.Hosting.Internal;

/// <summary>
/// Sends one four-letter word to a server's client port and reads the answer, as
/// <c>echo srvr | nc host port</c> does (ZooKeeper Administrator's Guide, "The Four Letter Words"):
/// the server writes its answer and closes the connection.
/// </summary>
internal static class FourLetterWordClient
{
    // 4lw answers are a few KB (mntr is the largest); anything bigger is not a ZooKeeper answering.
    private const int MaxAnswerBytes = 1 << 20;

    /// <summary>Sends <paramref name="word"/> to 127.0.0.1:<paramref name="port"/> and returns the whole answer.</summary>
    /// <param name="port">The server's client port.</param>
    /// <param name="word">The four-letter word, e.g. <c>srvr</c>.</param>
    /// <param name="timeout">How long the exchange may take in all.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The answer, as text.</returns>
    /// <exception cref="SocketException">The server cannot be reached.</exception>
    /// <exception cref="OperationCanceledException">The timeout passed or <paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<string> SendAsync(int port, string word, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var token = timeoutSource.Token;

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), token).ConfigureAwait(false);
        await socket.SendAsync(Encoding.ASCII.GetBytes(word), SocketFlags.None, token).ConfigureAwait(false);

        using var answer = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            await answer.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
            if (answer.Length > MaxAnswerBytes)
            {
                throw new InvalidDataException($"The answer to '{word}' on port {port} is larger than {MaxAnswerBytes} bytes.");
            }
        }

        return Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length);
    }
}
