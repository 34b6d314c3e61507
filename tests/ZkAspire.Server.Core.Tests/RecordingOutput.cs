// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>One frame the replica produced for a connection.</summary>
internal sealed record Frame(long ConnectionId, ConnectResponse? ConnectResponse, ReplyHeader Header, IJuteRecord? Body, string? CloseReason)
{
    public bool IsClose => CloseReason is not null;

    public bool IsNotification => ConnectResponse is null && CloseReason is null && Header.Xid == Xids.Notification;

    public WatcherEvent AsEvent() => Assert.IsType<WatcherEvent>(Body);
}

/// <summary>Records every call of the replica, in order.</summary>
internal sealed class RecordingOutput : IReplicaOutput
{
    public List<Frame> Frames { get; } = [];

    public void SendConnectResponse(long connectionId, ConnectResponse response) =>
        Frames.Add(new Frame(connectionId, response, default, null, null));

    public void Send(long connectionId, ReplyHeader header, IJuteRecord? body) =>
        Frames.Add(new Frame(connectionId, null, header, body, null));

    public void Close(long connectionId, string reason) =>
        Frames.Add(new Frame(connectionId, null, default, null, reason));
}

/// <summary>A host's persistence that the test completes by hand.</summary>
internal sealed class RecordingPersistence : ITxnPersistence
{
    public List<TxnLogEntry> Appended { get; } = [];

    public void Append(TxnLogEntry entry) => Appended.Add(entry);
}
