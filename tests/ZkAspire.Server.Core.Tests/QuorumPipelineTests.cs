// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// The pieces of a replicated server's pipeline that a single server never exercises: replies in
/// session order when a quorum sync is answered after a later write committed (CommitProcessor:
/// "Each session's requests must be processed in order"), and the learner–leader messages.
/// </summary>
public sealed class QuorumPipelineTests
{
    [Fact]
    public void AWriteThatCommitsBeforeAnEarlierSyncIsAnsweredIsRepliedAfterIt()
    {
        var output = new RecordingOutput();
        var tree = new DataTree(extendedTypesEnabled: false);
        var sessions = new SessionTracker(1000, 1, extendedTypesEnabled: false);
        var watches = new WatchManager();
        var providers = new AuthenticationProviders(null);
        var connections = new ConnectionTable(watches, output);
        var acl = new AclChecker(providers);
        var options = new ReplicaOptions();
        var prep = new PrepStage(tree, acl, options);
        var final = new FinalStage(tree, watches, sessions, acl, providers, connections, new SessionPasswords([]), output);
        var commit = new CommitStage(prep, final);
        var connection = new ServerConnection(1, "127.0.0.1");
        connections.Add(connection);
        var session = sessions.CreateSession(5000, 0);
        session.Connection = connection;
        connection.Session = session;
        connection.Established = true;

        var sync = new Request(connection, session, 1, (int)OpCode.Sync, new SyncRequest("/"), KeeperErrorCode.Ok, RequestKind.Normal) { IsQuorumSync = true };
        var write = new Request(connection, session, 2, (int)OpCode.Create, new CreateRequest("/a", [], Acls.OpenAclUnsafe, 0), KeeperErrorCode.Ok, RequestKind.Normal) { IsWrite = true };
        var read = new Request(connection, session, 3, (int)OpCode.Exists, new ExistsRequest("/a", false), KeeperErrorCode.Ok, RequestKind.Normal);
        commit.Accept(sync);
        prep.Prep(write, 0);
        commit.Accept(write);
        commit.Accept(read);

        // The write commits first: it is applied at once (everyone applies in zxid order) …
        commit.Committed(write.Txn!, write);
        Assert.NotNull(tree.GetNode("/a"));
        Assert.Empty(output.Frames);

        // … but its reply waits for the sync's, and the read waits for both.
        commit.SyncApplied(sync);
        Assert.Equal([1, 2, 3], output.Frames.Select(f => f.Header.Xid));
        Assert.Equal(0, commit.Outstanding);
    }

    [Fact]
    public void LearnerMessagesRoundTrip()
    {
        var connection = new ServerConnection(1, "10.1.2.3");
        connection.AddAuthInfo(new Id("digest", "u:x"));
        var session = new Session(0x0100000000000007, 4000);
        var request = new Request(connection, session, 12, (int)OpCode.SetData, new SetDataRequest("/p", [1, 2], 3), KeeperErrorCode.Ok, RequestKind.Normal);
        var forwarded = LearnerMessages.Decode(LearnerMessages.Request(request), 1 << 20);
        Assert.Equal(LearnerMessageKind.Request, forwarded.Kind);
        Assert.Equal(session.Id, forwarded.SessionId);
        Assert.Equal(12, forwarded.Cxid);
        Assert.Equal(1, forwarded.ConnectionId);
        Assert.Equal((int)OpCode.SetData, forwarded.Type);
        Assert.Equal(connection.AuthInfo, forwarded.AuthInfo);
        Assert.Equal("/p", Assert.IsType<SetDataRequest>(forwarded.Body).Path);

        var malformedMulti = new Request(connection, session, 13, (int)OpCode.Multi, null, KeeperErrorCode.MarshallingError, RequestKind.Normal);
        var multi = LearnerMessages.Decode(LearnerMessages.Request(malformedMulti), 1 << 20);
        Assert.Equal(KeeperErrorCode.MarshallingError, multi.DecodeError);
        Assert.Null(multi.Body);

        var create = LearnerMessages.Decode(LearnerMessages.CreateSession(9, 4000, 77), 1 << 20);
        Assert.Equal((4000, 77L), (create.TimeoutMs, create.ConnectionId));
        var reply = LearnerMessages.Decode(LearnerMessages.RevalidateReply(9, true, 3000), 1 << 20);
        Assert.True(reply.Valid);
        var touches = LearnerMessages.Decode(LearnerMessages.Touches(new Dictionary<long, int> { [5] = 100, [6] = 200 }), 1 << 20);
        Assert.Equal([(5L, 100), (6L, 200)], touches.Touches);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 9 })]
    [InlineData(new byte[] { 2, 0, 0, 0 })]
    [InlineData(new byte[] { 5, 0x7f, 0, 0, 0 })]
    [InlineData(new byte[] { 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9 })]
    public void MalformedLearnerMessagesAreProtocolExceptions(byte[] bytes) =>
        Assert.Throws<ProtocolException>(() => LearnerMessages.Decode(bytes, 1 << 20));
}
