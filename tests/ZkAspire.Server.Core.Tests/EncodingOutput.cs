// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// An <see cref="IReplicaOutput"/> that encodes every reply into one reused <see cref="JuteWriter"/>,
/// as the server's event loop does before it queues the bytes on the connection: what a reply
/// costs up to the socket.
/// </summary>
internal sealed class EncodingOutput : IReplicaOutput
{
    private readonly JuteWriter _writer = new(4096);

    public long Replies { get; private set; }

    public long Notifications { get; private set; }

    public long Bytes { get; private set; }

    public KeeperErrorCode LastError { get; private set; }

    public void SendConnectResponse(long connectionId, ConnectResponse response)
    {
    }

    public void Send(long connectionId, ReplyHeader header, IJuteRecord? body)
    {
        _writer.Clear();
        Framing.WriteFrame(_writer, header, body);
        Count(header);
    }

    // As the server's event loop: the header, then the body straight from what the core made.
    public void Send(long connectionId, ReplyHeader header, in ReplyBody body)
    {
        _writer.Clear();
        body.WriteFrame(_writer, header);
        Count(header);
    }

    public void Close(long connectionId, string reason)
    {
    }

    /// <summary>Throws unless the last reply was OK: a benchmark of failing requests measures nothing useful.</summary>
    public void EnsureOk()
    {
        if (LastError != KeeperErrorCode.Ok)
        {
            throw new InvalidOperationException($"the last reply was {LastError}");
        }
    }

    private void Count(in ReplyHeader header)
    {
        Bytes += _writer.Length;
        if (header.Xid == Xids.Notification)
        {
            Notifications++;
            return;
        }

        Replies++;
        LastError = header.Error;
    }
}
