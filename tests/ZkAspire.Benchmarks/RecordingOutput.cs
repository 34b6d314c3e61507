// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Benchmarks;

/// <summary>
/// An <see cref="IReplicaOutput"/> that keeps counts and the last reply, so that the benchmarks
/// measure the pure core alone (no encoding, no sockets) and can check that replies came back.
/// </summary>
internal sealed class RecordingOutput : IReplicaOutput
{
    public long Replies { get; private set; }

    public long Notifications { get; private set; }

    public long Closes { get; private set; }

    public ReplyHeader LastReply { get; private set; }

    public IJuteRecord? LastBody { get; private set; }

    public void SendConnectResponse(long connectionId, ConnectResponse response)
    {
    }

    public void Send(long connectionId, ReplyHeader header, IJuteRecord? body)
    {
        if (header.Xid == -1)
        {
            Notifications++;
            return;
        }

        Replies++;
        LastReply = header;
        LastBody = body;
    }

    // As the server: a body made inline is not turned into a record (the server encodes it).
    public void Send(long connectionId, ReplyHeader header, in ReplyBody body) => Send(connectionId, header, (IJuteRecord?)null);

    public void Close(long connectionId, string reason) => Closes++;

    /// <summary>Throws unless the last reply was OK: a benchmark of failing requests measures nothing useful.</summary>
    public void EnsureOk()
    {
        if (LastReply.Error != KeeperErrorCode.Ok)
        {
            throw new InvalidOperationException($"the last reply was {LastReply.Error}");
        }
    }
}
