// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>One client connection: sends requests with increasing xids and reads its frames in order.</summary>
internal sealed class TestClient
{
    private readonly TestServer _server;
    private int _cursor;
    private int _nextXid = 1;

    public TestClient(TestServer server, long connectionId)
    {
        _server = server;
        ConnectionId = connectionId;
    }

    public long ConnectionId { get; }

    public long SessionId { get; private set; }

    public byte[] Password { get; private set; } = new byte[16];

    public int NegotiatedTimeout { get; private set; }

    /// <summary>Gets the notifications read so far and not yet taken.</summary>
    public Queue<(ReplyHeader Header, WatcherEvent Event)> Events { get; } = new();

    public void SendConnect(ConnectRequest request) => _server.Replica.ConnectRequestReceived(ConnectionId, request, _server.NowMs);

    public void ExpectConnected()
    {
        var frame = NextFrame();
        var response = Assert.IsType<ConnectResponse>(frame.ConnectResponse);
        Assert.True(response.TimeOut > 0, "the connect was refused");
        SessionId = response.SessionId;
        Password = response.Passwd!;
        NegotiatedTimeout = response.TimeOut;
    }

    /// <summary>Sends a request frame; returns the xid used.</summary>
    public int Send(OpCode type, IJuteRecord? body, int? xid = null, KeeperErrorCode decodeError = KeeperErrorCode.Ok) =>
        SendRaw((int)type, body, xid, decodeError);

    public int SendRaw(int type, IJuteRecord? body, int? xid = null, KeeperErrorCode decodeError = KeeperErrorCode.Ok)
    {
        var used = xid ?? _nextXid++;
        _server.Replica.RequestReceived(ConnectionId, new ClientRequest(used, type, body, decodeError), _server.NowMs);
        return used;
    }

    /// <summary>
    /// Sends a request and reads its reply, queueing notifications that come first. With host
    /// persistence, whatever is pending is reported persisted first.
    /// </summary>
    public Frame Call(OpCode type, IJuteRecord? body = null)
    {
        var xid = Send(type, body);
        if (_server.Persistence is not null)
        {
            _server.PersistAll();
        }

        return ReadReply(type == OpCode.Ping ? Xids.Ping : xid);
    }

    /// <summary>Reads frames until the reply with the given xid; anything but notifications before it fails the test.</summary>
    public Frame ReadReply(int xid)
    {
        while (true)
        {
            var frame = NextFrame();
            if (frame.IsNotification)
            {
                Events.Enqueue((frame.Header, frame.AsEvent()));
                continue;
            }

            Assert.False(frame.IsClose, $"the connection was closed: {frame.CloseReason}");
            Assert.Null(frame.ConnectResponse);
            Assert.Equal(xid, frame.Header.Xid);
            return frame;
        }
    }

    /// <summary>Sends a request and returns the reply body, asserting success.</summary>
    public T Ok<T>(OpCode type, IJuteRecord? body)
        where T : IJuteRecord
    {
        var reply = Call(type, body);
        Assert.Equal(KeeperErrorCode.Ok, reply.Header.Error);
        return Assert.IsType<T>(reply.Body);
    }

    /// <summary>Sends a request and asserts the error code; returns the reply.</summary>
    public Frame Fails(KeeperErrorCode expected, OpCode type, IJuteRecord? body)
    {
        var reply = Call(type, body);
        Assert.Equal(expected, reply.Header.Error);
        Assert.Null(reply.Body);
        return reply;
    }

    public string Create(string path, byte[]? data = null, CreateMode mode = CreateMode.Persistent, IReadOnlyList<ACL>? acl = null) =>
        Ok<CreateResponse>(OpCode.Create, new CreateRequest(path, data ?? [], acl ?? Acls.OpenAclUnsafe, (int)mode)).Path;

    public Create2Response Create2(string path, byte[]? data = null, CreateMode mode = CreateMode.Persistent, IReadOnlyList<ACL>? acl = null) =>
        Ok<Create2Response>(OpCode.Create2, new CreateRequest(path, data ?? [], acl ?? Acls.OpenAclUnsafe, (int)mode));

    public Stat Stat(string path) => Ok<ExistsResponse>(OpCode.Exists, new ExistsRequest(path, false)).Stat;

    public GetDataResponse GetData(string path, bool watch = false) => Ok<GetDataResponse>(OpCode.GetData, new GetDataRequest(path, watch));

    public Stat SetData(string path, byte[]? data, int version = -1) => Ok<SetDataResponse>(OpCode.SetData, new SetDataRequest(path, data, version)).Stat;

    public void Delete(string path, int version = -1)
    {
        var reply = Call(OpCode.Delete, new DeleteRequest(path, version));
        Assert.Equal(KeeperErrorCode.Ok, reply.Header.Error);
        Assert.Null(reply.Body);
    }

    public string[] Children(string path, bool watch = false)
    {
        var children = Ok<GetChildrenResponse>(OpCode.GetChildren, new GetChildrenRequest(path, watch)).Children!.ToArray();
        Array.Sort(children, StringComparer.Ordinal);
        return children;
    }

    public void AddAuth(string scheme, string auth)
    {
        Send(OpCode.Auth, new AuthPacket(0, scheme, System.Text.Encoding.UTF8.GetBytes(auth)), Xids.Auth);
        var reply = NextFrame();
        Assert.Equal(Xids.Auth, reply.Header.Xid);
        Assert.Equal(KeeperErrorCode.Ok, reply.Header.Error);
    }

    /// <summary>Takes the next notification, reading frames if needed.</summary>
    public WatcherEvent NextEvent()
    {
        if (Events.Count == 0)
        {
            var frame = NextFrame();
            Assert.True(frame.IsNotification, $"expected a notification, got {frame}");
            return frame.AsEvent();
        }

        return Events.Dequeue().Event;
    }

    /// <summary>Asserts nothing more has been sent to this connection.</summary>
    public void NoMoreFrames()
    {
        Assert.Empty(Events);
        var pending = PendingFrames();
        Assert.True(pending.Count == 0, $"unexpected frames: {string.Join(", ", pending)}");
    }

    public List<Frame> PendingFrames()
    {
        var list = new List<Frame>();
        var frames = _server.Output.Frames;
        for (var i = _cursor; i < frames.Count; i++)
        {
            if (frames[i].ConnectionId == ConnectionId)
            {
                list.Add(frames[i]);
            }
        }

        return list;
    }

    public Frame NextFrame()
    {
        var frames = _server.Output.Frames;
        while (_cursor < frames.Count)
        {
            var frame = frames[_cursor++];
            if (frame.ConnectionId == ConnectionId)
            {
                return frame;
            }
        }

        Assert.Fail($"connection {ConnectionId} got no more frames");
        return null!;
    }

    public void ExpectClosed()
    {
        var frame = NextFrame();
        Assert.True(frame.IsClose, $"expected a close, got {frame}");
    }
}
