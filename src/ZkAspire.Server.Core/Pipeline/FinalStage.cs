// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// Applies committed txns and serves everything else (ZooKeeper's <c>FinalRequestProcessor</c>,
/// which "actually applies any transaction associated with a request and services any queries"):
/// it changes the tree, sends the notifications the change triggers, then the reply, so that a
/// client always sees an event before the data that caused it (wire-protocol doc §13).
/// </summary>
internal sealed class FinalStage : IWatchEventSink
{
    private readonly DataTree _tree;
    private readonly WatchManager _watches;
    private readonly SessionTracker _sessions;
    private readonly AclChecker _acl;
    private readonly AuthenticationProviders _providers;
    private readonly ConnectionTable _connections;
    private readonly SessionPasswords _passwords;
    private readonly IReplicaOutput _output;
    private readonly List<WatchTrigger> _triggers = [];

    /// <summary>Creates the stage.</summary>
    /// <param name="tree">The data tree.</param>
    /// <param name="watches">The watch manager.</param>
    /// <param name="sessions">The session tracker.</param>
    /// <param name="acl">The ACL rules.</param>
    /// <param name="providers">The auth schemes (for whoAmI).</param>
    /// <param name="connections">The connections.</param>
    /// <param name="passwords">The session password generator.</param>
    /// <param name="output">Where replies go.</param>
    public FinalStage(
        DataTree tree,
        WatchManager watches,
        SessionTracker sessions,
        AclChecker acl,
        AuthenticationProviders providers,
        ConnectionTable connections,
        SessionPasswords passwords,
        IReplicaOutput output)
    {
        _tree = tree;
        _watches = watches;
        _sessions = sessions;
        _acl = acl;
        _providers = providers;
        _connections = connections;
        _passwords = passwords;
        _output = output;
    }

    /// <summary>
    /// Applies a committed txn: the tree changes, session bookkeeping follows, and watches fire.
    /// The originating request, if any, is answered with <see cref="Respond(Request, in TxnResult)"/> in its turn.
    /// </summary>
    /// <param name="entry">The txn.</param>
    /// <param name="request">The client request it answers, or <see langword="null"/> for server-issued and other servers' txns.</param>
    /// <returns>What applying it did, for the reply.</returns>
    public TxnResult Apply(TxnLogEntry entry, Request? request)
    {
        var header = entry.Header;
        _triggers.Clear();
        var rc = _tree.ProcessTxn(header, entry.Txn, _triggers);

        Session? closed = null;
        if (header.OpCode == OpCode.CreateSession && _sessions.Get(header.ClientId) is { } created)
        {
            // The txn's timeout is the durable one (a learner that attached a resumed session
            // before this txn arrived made it with the connection's).
            created.IsCommitted = true;
            if (entry.Txn is CreateSessionTxn createSession)
            {
                created.PersistedTimeoutMs = createSession.TimeOut;
            }
        }
        else if (header.OpCode == OpCode.CloseSession)
        {
            closed = _sessions.Get(header.ClientId);
            _sessions.RemoveSession(header.ClientId);
        }

        foreach (var trigger in _triggers)
        {
            _watches.Trigger(trigger, this);
        }

        // The session's connection goes once its closeSession is applied: after the reply for a
        // client's close, with no word at all for an expiry (§16).
        ServerConnection? closeAfterReply = null;
        if (closed?.Connection is { } connection)
        {
            if (request is not null && ReferenceEquals(request.Connection, connection))
            {
                closeAfterReply = connection;
            }
            else
            {
                _connections.Close(connection, request is null ? "session expired" : "session closed");
            }
        }

        return new TxnResult(entry, rc, closeAfterReply);
    }

    /// <summary>Answers a write whose txn was applied, then closes the connection of a session it closed.</summary>
    /// <param name="request">The request.</param>
    /// <param name="result">What applying its txn did.</param>
    public void Respond(Request request, in TxnResult result)
    {
        Respond(request, result.Entry, result.Result);
        if (result.CloseAfterReply is { } connection)
        {
            _connections.Close(connection, "session closed by the client");
        }
    }

    /// <summary>
    /// Undoes the session side of a txn that could not be persisted: a session whose closeSession
    /// failed, by request or by expiry, is live again and expires at the next tick, which retries
    /// the close.
    /// </summary>
    /// <param name="entry">The txn.</param>
    /// <param name="nowMs">The host's clock.</param>
    public void Unapplied(TxnLogEntry entry, long nowMs)
    {
        if (entry.Header.OpCode == OpCode.CloseSession && _sessions.Get(entry.Header.ClientId) is { } closing)
        {
            _sessions.Reopen(closing, nowMs);
        }
    }

    /// <summary>
    /// Answers a write whose txn could not be persisted. A new session's connection is closed (it
    /// has no session to come back to).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="error">The error the client gets.</param>
    public void RespondFailure(Request request, KeeperErrorCode error)
    {
        if (request.Connection.IsClosed)
        {
            return;
        }

        if (request.Kind == RequestKind.Connect)
        {
            _sessions.RemoveSession(request.Session.Id);
            _connections.Close(request.Connection, "the new session could not be persisted");
            return;
        }

        Reply(request, error, null);
    }

    /// <summary>Serves a request that needs no txn, in order with the session's other replies.</summary>
    /// <param name="request">The request.</param>
    public void Serve(Request request)
    {
        if (request.Connection.IsClosed)
        {
            return;
        }

        if (request.Kind == RequestKind.Unimplemented)
        {
            // UnimplementedRequestProcessor: the reply carries zxid −1, then the connection closes.
            _output.Send(request.Connection.Id, new ReplyHeader(request.Xid, -1, (int)KeeperErrorCode.Unimplemented), null);
            _connections.Close(request.Connection, $"unimplemented opcode {request.Type}");
            return;
        }

        if (request.DecodeError != KeeperErrorCode.Ok)
        {
            Reply(request, request.DecodeError, null);
            return;
        }

        var err = ServeCore(request, out var body);
        Reply(request, err, body, bodyOnError: request.OpCode == OpCode.MultiRead);
    }

    /// <inheritdoc/>
    public void Deliver(ServerConnection connection, WatcherEvent watcherEvent, long zxid, IReadOnlyList<ACL>? acl)
    {
        // 3.8.4+/3.9.2+: only connections allowed to read the node hear about it; the one-shot
        // watch is spent either way (§15.2).
        if (connection.IsClosed || (acl is not null && !_acl.Check(acl, Perms.Read, connection.AuthInfo)))
        {
            return;
        }

        _output.Send(connection.Id, new ReplyHeader(Xids.Notification, zxid, 0), watcherEvent);
    }

    private void Reply(Request request, KeeperErrorCode err, IJuteRecord? body) => Reply(request, err, ReplyBody.FromRecord(body));

    // The body goes to the host inline (ReplyBody): a host that encodes at once allocates nothing for it.
    private void Reply(Request request, KeeperErrorCode err, in ReplyBody body, bool bodyOnError = false)
    {
        var xid = request.OpCode == OpCode.Ping ? Xids.Ping : request.Xid;
        var header = new ReplyHeader(xid, _tree.LastProcessedZxid, (int)err);
        if (err == KeeperErrorCode.Ok || bodyOnError)
        {
            _output.Send(request.Connection.Id, header, in body);
        }
        else
        {
            _output.Send(request.Connection.Id, header, default(ReplyBody));
        }
    }

    private void Respond(Request request, TxnLogEntry entry, in ProcessTxnResult rc)
    {
        var connection = request.Connection;
        if (connection.IsClosed)
        {
            return;
        }

        if (request.Kind == RequestKind.Connect)
        {
            // finishSessionInit: the session's first answer, once its createSession txn is applied.
            var session = request.Session;
            _connections.Establish(connection);
            _output.SendConnectResponse(
                connection.Id,
                new ConnectResponse(0, connection.SessionTimeoutMs, session.Id, _passwords.For(session.Id), connection.ClientReadOnly is null ? null : false));
            return;
        }

        if (entry.Header.OpCode == OpCode.Error)
        {
            Reply(request, rc.Err, null);
            if (rc.Err == KeeperErrorCode.SessionMoved)
            {
                // The session moved to another server: this connection is stale (ZooKeeper's
                // SessionMovedException closes it), the client is on the other one already.
                _connections.Close(connection, "the session moved to another server");
            }

            return;
        }

        var body = request.OpCode switch
        {
            OpCode.Create => ReplyBody.Create(rc.Path!),
            OpCode.Create2 or OpCode.CreateTTL or OpCode.CreateContainer => ReplyBody.Create2(rc.Path!, rc.Stat.GetValueOrDefault()),
            OpCode.SetData => ReplyBody.SetData(rc.Stat.GetValueOrDefault()),
            OpCode.SetACL => ReplyBody.SetAcl(rc.Stat.GetValueOrDefault()),
            OpCode.Multi => ReplyBody.FromRecord(ToMultiResponse(in rc)),
            _ => default,
        };

        // A multi's header carries 0 even when an op failed: the results tell (§14.3).
        Reply(request, request.OpCode == OpCode.Multi ? KeeperErrorCode.Ok : rc.Err, body);
    }

    private static MultiResponse ToMultiResponse(in ProcessTxnResult rc)
    {
        var subResults = rc.MultiResult ?? [];
        var results = new List<OpResult>(subResults.Count);
        foreach (var sub in subResults)
        {
            results.Add((OpCode)sub.Type switch
            {
                OpCode.Check => new OpResult(OpCode.Check, KeeperErrorCode.Ok, null),
                OpCode.Create => new OpResult(OpCode.Create, KeeperErrorCode.Ok, new CreateResponse(sub.Path!)),
                OpCode.Create2 or OpCode.CreateTTL or OpCode.CreateContainer =>
                    new OpResult(OpCode.Create2, KeeperErrorCode.Ok, new Create2Response(sub.Path!, sub.Stat.GetValueOrDefault())),
                OpCode.Delete or OpCode.DeleteContainer => new OpResult(OpCode.Delete, KeeperErrorCode.Ok, null),
                OpCode.SetData => new OpResult(OpCode.SetData, KeeperErrorCode.Ok, new SetDataResponse(sub.Stat.GetValueOrDefault())),
                _ => OpResult.Error(sub.Err),
            });
        }

        return new MultiResponse(results);
    }

    private KeeperErrorCode ServeCore(Request request, out ReplyBody body)
    {
        body = default;
        var connection = request.Connection;
        if (request.Path is { } path)
        {
            // The hottest reads, their (path, watch) bodies held inline by the transport.
            return request.OpCode switch
            {
                OpCode.Exists => Exists(path, request.Watch, connection, out body),
                OpCode.GetData => GetData(path, request.Watch, connection, out body),
                OpCode.GetChildren => GetChildren(path, request.Watch, withStat: false, connection, out body),
                OpCode.GetChildren2 => GetChildren(path, request.Watch, withStat: true, connection, out body),
                _ => KeeperErrorCode.MarshallingError,
            };
        }

        switch (request.OpCode, request.Body)
        {
            case (OpCode.Ping, _):
                return KeeperErrorCode.Ok;
            case (OpCode.Sync, SyncRequest sync):
                // Standalone: there is no leader to catch up with (§6). Replicated: the quorum's
                // commit point, confirmed after the sync arrived, is applied by now.
                body = ReplyBody.FromRecord(new SyncResponse(sync.Path));
                return KeeperErrorCode.Ok;
            case (OpCode.Exists, ExistsRequest exists):
                return Exists(exists.Path, exists.Watch, connection, out body);
            case (OpCode.GetData, GetDataRequest getData):
                return GetData(getData.Path, getData.Watch, connection, out body);
            case (OpCode.GetChildren, GetChildrenRequest getChildren):
                return GetChildren(getChildren.Path, getChildren.Watch, withStat: false, connection, out body);
            case (OpCode.GetChildren2, GetChildren2Request getChildren2):
                return GetChildren(getChildren2.Path, getChildren2.Watch, withStat: true, connection, out body);
            case (OpCode.GetACL, GetACLRequest getAcl):
                var aclErr = GetAcl(getAcl.Path, connection, out var aclBody);
                body = ReplyBody.FromRecord(aclBody);
                return aclErr;
            case (OpCode.GetAllChildrenNumber, GetAllChildrenNumberRequest count):
                var countErr = GetAllChildrenNumber(count.Path, connection, out var countBody);
                body = ReplyBody.FromRecord(countBody);
                return countErr;
            case (OpCode.GetEphemerals, GetEphemeralsRequest ephemerals):
                body = ReplyBody.FromRecord(GetEphemerals(ephemerals.PrefixPath, request.Session));
                return KeeperErrorCode.Ok;
            case (OpCode.WhoAmI, _):
                body = ReplyBody.FromRecord(WhoAmI(connection));
                return KeeperErrorCode.Ok;
            case (OpCode.AddWatch, AddWatchRequest addWatch):
                var watchErr = AddWatch(addWatch, connection, out var watchBody);
                body = ReplyBody.FromRecord(watchBody);
                return watchErr;
            case (OpCode.CheckWatches, CheckWatchesRequest check):
                return CheckOrRemoveWatches(check.Path, check.Type, remove: false, connection);
            case (OpCode.RemoveWatches, RemoveWatchesRequest remove):
                return CheckOrRemoveWatches(remove.Path, remove.Type, remove: true, connection);
            case (OpCode.SetWatches, SetWatches setWatches):
                return SetWatchesCore(setWatches.RelativeZxid, setWatches.DataWatches, setWatches.ExistWatches, setWatches.ChildWatches, [], [], connection);
            case (OpCode.SetWatches2, SetWatches2 setWatches):
                return SetWatchesCore(
                    setWatches.RelativeZxid,
                    setWatches.DataWatches,
                    setWatches.ExistWatches,
                    setWatches.ChildWatches,
                    setWatches.PersistentWatches,
                    setWatches.PersistentRecursiveWatches,
                    connection);
            case (OpCode.MultiRead, MultiRequest multi):
                var multiErr = MultiRead(multi, connection, out var multiBody);
                body = ReplyBody.FromRecord(multiBody);
                return multiErr;
            default:
                return KeeperErrorCode.MarshallingError;
        }
    }

    // 3.9.2+: an existing node needs READ; a missing one still gets the exist watch (§11.6, §23.13).
    private KeeperErrorCode Exists(string path, bool watch, ServerConnection connection, out ReplyBody body)
    {
        body = default;
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return KeeperErrorCode.BadArguments;
        }

        var node = _tree.GetNode(path);
        if (node is not null && !_acl.Check(node.Acl, Perms.Read, connection.AuthInfo))
        {
            return KeeperErrorCode.NoAuth;
        }

        if (watch)
        {
            _watches.AddDataWatch(path, connection);
        }

        if (node is null)
        {
            return KeeperErrorCode.NoNode;
        }

        body = ReplyBody.Exists(_tree.StatOf(node));
        return KeeperErrorCode.Ok;
    }

    private KeeperErrorCode GetData(string path, bool watch, ServerConnection connection, out ReplyBody body)
    {
        body = default;
        var node = _tree.GetNode(path);
        if (node is null)
        {
            return KeeperErrorCode.NoNode;
        }

        if (!_acl.Check(node.Acl, Perms.Read, connection.AuthInfo))
        {
            return KeeperErrorCode.NoAuth;
        }

        if (watch)
        {
            _watches.AddDataWatch(path, connection);
        }

        body = ReplyBody.GetData(node.Data, _tree.StatOf(node));
        return KeeperErrorCode.Ok;
    }

    private KeeperErrorCode GetChildren(string path, bool watch, bool withStat, ServerConnection connection, out ReplyBody body)
    {
        body = default;
        var node = _tree.GetNode(path);
        if (node is null)
        {
            return KeeperErrorCode.NoNode;
        }

        if (!_acl.Check(node.Acl, Perms.Read, connection.AuthInfo))
        {
            return KeeperErrorCode.NoAuth;
        }

        if (watch)
        {
            _watches.AddChildWatch(path, connection);
        }

        // The names are written from the node's own set when the reply is encoded, within this
        // call (nothing changes the tree before), rather than copied into an array first.
        body = withStat ? ReplyBody.Children2(node.ChildSet, _tree.StatOf(node)) : ReplyBody.Children(node.ChildSet);
        return KeeperErrorCode.Ok;
    }

    // READ or ADMIN lets a caller see the ACL; without ADMIN, digests are masked (§10).
    private KeeperErrorCode GetAcl(string path, ServerConnection connection, out IJuteRecord? body)
    {
        body = null;
        var node = _tree.GetNode(path);
        if (node is null)
        {
            return KeeperErrorCode.NoNode;
        }

        if (!_acl.Check(node.Acl, Perms.Read | Perms.Admin, connection.AuthInfo))
        {
            return KeeperErrorCode.NoAuth;
        }

        var acl = _acl.Check(node.Acl, Perms.Admin, connection.AuthInfo) ? node.Acl : AclChecker.MaskDigests(node.Acl);
        body = new GetACLResponse(acl, _tree.StatOf(node));
        return KeeperErrorCode.Ok;
    }

    private KeeperErrorCode GetAllChildrenNumber(string path, ServerConnection connection, out IJuteRecord? body)
    {
        body = null;
        var node = _tree.GetNode(path);
        if (node is null)
        {
            return KeeperErrorCode.NoNode;
        }

        if (!_acl.Check(node.Acl, Perms.Read, connection.AuthInfo))
        {
            return KeeperErrorCode.NoAuth;
        }

        body = new GetAllChildrenNumberResponse(_tree.GetAllChildrenNumber(path));
        return KeeperErrorCode.Ok;
    }

    // The session's own ephemerals; the prefix is a plain string prefix, empty or "/" meaning all.
    private GetEphemeralsResponse GetEphemerals(string? prefix, Session session)
    {
        var all = _tree.GetEphemerals(session.Id);
        var trimmed = prefix?.Trim();
        var everything = string.IsNullOrEmpty(trimmed) || trimmed == PathUtils.Root;
        var result = new List<string>(all.Count);
        foreach (var path in all)
        {
            if (everything || path.StartsWith(prefix!, StringComparison.Ordinal))
            {
                result.Add(path);
            }
        }

        return new GetEphemeralsResponse(result);
    }

    private WhoAmIResponse WhoAmI(ServerConnection connection)
    {
        var infos = new List<ClientInfo>(connection.AuthInfo.Count);
        foreach (var id in connection.AuthInfo)
        {
            var user = id.Identity is null ? null : _providers.Get(id.Scheme)?.UserName(id.Identity);
            infos.Add(new ClientInfo(id.Scheme, user ?? string.Empty));
        }

        return new WhoAmIResponse(infos);
    }

    // No existence or ACL check; the reply body is a 4-byte 0 (§11.6, §23.14).
    private KeeperErrorCode AddWatch(AddWatchRequest request, ServerConnection connection, out IJuteRecord? body)
    {
        body = null;
        if (request.Mode is not ((int)AddWatchMode.Persistent or (int)AddWatchMode.PersistentRecursive))
        {
            return KeeperErrorCode.MarshallingError;
        }

        _watches.AddPersistentWatch(request.Path, connection, recursive: request.Mode == (int)AddWatchMode.PersistentRecursive);
        body = new ErrorResponse(0);
        return KeeperErrorCode.Ok;
    }

    private KeeperErrorCode CheckOrRemoveWatches(string path, int type, bool remove, ServerConnection connection)
    {
        if (type is < (int)WatcherType.Children or > (int)WatcherType.PersistentRecursive)
        {
            return KeeperErrorCode.MarshallingError;
        }

        var found = remove
            ? _watches.Remove(path, (WatcherType)type, connection)
            : _watches.Contains(path, (WatcherType)type, connection);
        return found ? KeeperErrorCode.Ok : KeeperErrorCode.NoWatcher;
    }

    /// <summary>
    /// Re-registers watches after a reconnect (<c>DataTree.setWatches</c>), sending at once, with
    /// zxid −1 and no ACL filter, the events the client missed (§15.6). A null list fails the
    /// request where ZooKeeper would hit it, after the lists before it were handled.
    /// </summary>
    private KeeperErrorCode SetWatchesCore(
        long relativeZxid,
        IReadOnlyList<string>? dataWatches,
        IReadOnlyList<string>? existWatches,
        IReadOnlyList<string>? childWatches,
        IReadOnlyList<string>? persistentWatches,
        IReadOnlyList<string>? persistentRecursiveWatches,
        ServerConnection connection)
    {
        if (dataWatches is null)
        {
            return KeeperErrorCode.MarshallingError;
        }

        foreach (var path in dataWatches)
        {
            var node = _tree.GetNode(path);
            if (node is null)
            {
                CatchUp(connection, EventType.NodeDeleted, path);
            }
            else if (node.Stat.Mzxid > relativeZxid)
            {
                CatchUp(connection, EventType.NodeDataChanged, path);
            }
            else
            {
                _watches.AddDataWatch(path, connection);
            }
        }

        if (existWatches is null)
        {
            return KeeperErrorCode.MarshallingError;
        }

        foreach (var path in existWatches)
        {
            if (_tree.GetNode(path) is not null)
            {
                CatchUp(connection, EventType.NodeCreated, path);
            }
            else
            {
                _watches.AddDataWatch(path, connection);
            }
        }

        if (childWatches is null)
        {
            return KeeperErrorCode.MarshallingError;
        }

        foreach (var path in childWatches)
        {
            var node = _tree.GetNode(path);
            if (node is null)
            {
                CatchUp(connection, EventType.NodeDeleted, path);
            }
            else if (node.Stat.Pzxid > relativeZxid)
            {
                CatchUp(connection, EventType.NodeChildrenChanged, path);
            }
            else
            {
                _watches.AddChildWatch(path, connection);
            }
        }

        if (persistentWatches is null)
        {
            return KeeperErrorCode.MarshallingError;
        }

        foreach (var path in persistentWatches)
        {
            _watches.AddPersistentWatch(path, connection, recursive: false);
        }

        if (persistentRecursiveWatches is null)
        {
            return KeeperErrorCode.MarshallingError;
        }

        foreach (var path in persistentRecursiveWatches)
        {
            _watches.AddPersistentWatch(path, connection, recursive: true);
        }

        return KeeperErrorCode.Ok;
    }

    private void CatchUp(ServerConnection connection, EventType type, string path) =>
        Deliver(connection, new WatcherEvent(type, KeeperState.SyncConnected, path), -1, null);

    /// <summary>
    /// Runs the reads of a multiRead independently (§14.4). ZooKeeper rebuilds each op without its
    /// watch flag, so no watch is ever left; any op other than getData/getChildren fails the whole
    /// request. When every op is a write, ZooKeeper's decoder accepts the request and the failure
    /// comes after its (empty) response was created, so that response follows the −5 header; a
    /// mix of reads and writes fails in the decoder, with no body.
    /// </summary>
    private KeeperErrorCode MultiRead(MultiRequest multi, ServerConnection connection, out IJuteRecord? body)
    {
        body = null;
        var results = new List<OpResult>(multi.Ops.Count);
        foreach (var op in multi.Ops)
        {
            KeeperErrorCode err;
            ReplyBody result;
            switch (op.Type, op.Record)
            {
                case (OpCode.GetChildren, GetChildrenRequest getChildren):
                    err = GetChildren(getChildren.Path, watch: false, withStat: false, connection, out result);
                    results.Add(err == KeeperErrorCode.Ok ? new OpResult(OpCode.GetChildren, err, result.ToRecord()) : OpResult.Error(err));
                    break;
                case (OpCode.GetData, GetDataRequest getData):
                    err = GetData(getData.Path, watch: false, connection, out result);
                    results.Add(err == KeeperErrorCode.Ok ? new OpResult(OpCode.GetData, err, result.ToRecord()) : OpResult.Error(err));
                    break;
                default:
                    var mixed = false;
                    foreach (var other in multi.Ops)
                    {
                        mixed |= other.Type is OpCode.GetData or OpCode.GetChildren;
                    }

                    body = mixed ? null : new MultiResponse([]);
                    return KeeperErrorCode.MarshallingError;
            }
        }

        body = new MultiResponse(results);
        return KeeperErrorCode.Ok;
    }
}
