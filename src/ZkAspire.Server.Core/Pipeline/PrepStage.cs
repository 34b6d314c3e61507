// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// Turns write requests into txns (ZooKeeper's <c>PrepRequestProcessor</c>, which "sets up any
/// transactions associated with requests that change the state of the system"): it assigns the
/// zxid, validates the request in the order of wire-protocol doc §11 against the tree plus the
/// changes of txns not yet applied, and records the changes its txn will make. A request that
/// fails validation becomes an <see cref="ErrorTxn"/>, which consumes its zxid all the same.
/// </summary>
internal sealed class PrepStage
{
    private const int MaxSpareChanges = 1024;

    private static readonly string[] SpecialPaths = [PathUtils.Root, PathUtils.ZooKeeperRoot, PathUtils.QuotaRoot, PathUtils.ConfigNode];

    private readonly DataTree _tree;
    private readonly AclChecker _acl;
    private readonly bool _extendedTypesEnabled;
    private readonly int _maxDataBytes;

    // Changes of prepped txns not yet applied, in zxid order, and the latest one per path
    // (ZooKeeper's outstandingChanges and outstandingChangesForPath).
    private readonly Queue<ChangeRecord> _outstanding = new();
    private readonly Dictionary<string, ChangeRecord> _outstandingForPath = new(StringComparer.Ordinal);

    // While a multi is prepped its changes stay here, so that a failing op discards them all
    // (ZooKeeper records them and rolls back, ZOOKEEPER-1624): the multi's virtual view (§14.3).
    private readonly Dictionary<string, ChangeRecord> _multiChanges = new(StringComparer.Ordinal);
    private readonly List<ChangeRecord> _multiOrder = [];

    // Change records of applied txns, reused for the next writes (bounded: a burst's records go
    // back to the collector beyond it).
    private readonly Stack<ChangeRecord> _spareChanges = new();
    private bool _inMulti;

    private readonly Func<long>? _nextZxid;
    private long _lastZxid;

    /// <summary>Creates the stage.</summary>
    /// <param name="tree">The data tree.</param>
    /// <param name="acl">The ACL rules.</param>
    /// <param name="options">The settings.</param>
    /// <param name="nextZxid">
    /// Where zxids come from on a leader (consensus assigns them, and the txn is proposed before the
    /// next one is prepped); <see langword="null"/> for a standalone server, which counts them itself.
    /// </param>
    public PrepStage(DataTree tree, AclChecker acl, ReplicaOptions options, Func<long>? nextZxid = null)
    {
        _tree = tree;
        _acl = acl;
        _extendedTypesEnabled = options.ExtendedTypesEnabled;
        _maxDataBytes = options.MaxBufferBytes;
        _nextZxid = nextZxid;
        _lastZxid = tree.LastProcessedZxid;
    }

    /// <summary>Gets the zxid of the last txn prepped.</summary>
    public long LastPreppedZxid => _lastZxid;

    /// <summary>Gets the number of outstanding change records.</summary>
    public int OutstandingChanges => _outstanding.Count;

    /// <summary>Whether a client request is a write: it becomes a txn.</summary>
    /// <param name="request">The request.</param>
    /// <returns><see langword="true"/> for create*, delete, setData, setACL, multi, reconfig and closeSession.</returns>
    public static bool IsWrite(Request request)
    {
        if (request.Kind != RequestKind.Normal)
        {
            return request.Kind == RequestKind.Connect;
        }

        // A body that did not decode never reaches Prep, except multi's: ZooKeeper reads it inside
        // Prep after taking a zxid, so it becomes an error txn (MarshallingError).
        return request.OpCode switch
        {
            OpCode.Multi or OpCode.CloseSession => true,
            OpCode.Create or OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTTL or OpCode.Delete
                or OpCode.SetData or OpCode.SetACL or OpCode.Reconfig => request.DecodeError == KeeperErrorCode.Ok,
            _ => false,
        };
    }

    /// <summary>Preps a client write (<c>pRequest</c>).</summary>
    /// <param name="request">The request; its <see cref="Request.Txn"/> is set.</param>
    /// <param name="nowMs">The txn time.</param>
    public void Prep(Request request, long nowMs)
    {
        var header = new TxnHeader(request.Session.Id, request.Xid, NextZxid(), nowMs, request.Type);
        IJuteRecord? txn;
        KeeperErrorCode err;
        if (request.DecodeError != KeeperErrorCode.Ok)
        {
            err = request.DecodeError;
            txn = null;
        }
        else
        {
            switch (request.OpCode)
            {
                case OpCode.Multi:
                    err = PrepMulti(request.Body as MultiRequest, header, request.AuthInfo, out txn);
                    break;
                case OpCode.CloseSession:
                    // From here on the session accepts nothing more (setSessionClosing).
                    request.Session.IsClosing = true;
                    txn = PrepCloseSession(request.Session, header.Zxid);
                    err = KeeperErrorCode.Ok;
                    break;
                default:
                    err = PrepOp(request.Type, request.Body, header, request.AuthInfo, out txn);
                    break;
            }
        }

        request.Txn = err == KeeperErrorCode.Ok && txn is not null
            ? new TxnLogEntry(header, txn)
            : new TxnLogEntry(header with { Type = (int)OpCode.Error }, new ErrorTxn((int)err));
    }

    /// <summary>
    /// Makes an error txn for a write that may not run at all (a leader's session checks:
    /// SessionExpired, SessionMoved): it consumes a zxid and its error reaches the client in order
    /// with the session's other replies, as ZooKeeper's PrepRequestProcessor does.
    /// </summary>
    /// <param name="request">The request; its <see cref="Request.Txn"/> is set.</param>
    /// <param name="error">The error.</param>
    /// <param name="nowMs">The txn time.</param>
    public void PrepError(Request request, KeeperErrorCode error, long nowMs) =>
        request.Txn = new TxnLogEntry(
            new TxnHeader(request.Session.Id, request.Xid, NextZxid(), nowMs, (int)OpCode.Error),
            new ErrorTxn((int)error));

    /// <summary>Preps the createSession txn of a new session.</summary>
    /// <param name="request">The connect request; its <see cref="Request.Txn"/> is set.</param>
    /// <param name="timeoutMs">The negotiated timeout.</param>
    /// <param name="nowMs">The txn time.</param>
    public void PrepCreateSession(Request request, int timeoutMs, long nowMs) =>
        request.Txn = new TxnLogEntry(
            new TxnHeader(request.Session.Id, 0, NextZxid(), nowMs, (int)OpCode.CreateSession),
            new CreateSessionTxn(timeoutMs));

    /// <summary>Preps the closeSession txn the server issues when a session expires.</summary>
    /// <param name="session">The session, already marked closing.</param>
    /// <param name="nowMs">The txn time.</param>
    /// <returns>The txn.</returns>
    public TxnLogEntry PrepExpiry(Session session, long nowMs)
    {
        var header = new TxnHeader(session.Id, 0, NextZxid(), nowMs, (int)OpCode.CloseSession);
        return new TxnLogEntry(header, PrepCloseSession(session, header.Zxid));
    }

    /// <summary>Preps the deleteContainer txn the container manager issues (<c>ContainerManager.checkContainers</c>).</summary>
    /// <param name="path">The container or TTL node.</param>
    /// <param name="nowMs">The txn time.</param>
    /// <returns>The txn, or an error txn if the node changed meanwhile.</returns>
    public TxnLogEntry PrepDeleteContainer(string path, long nowMs)
    {
        var header = new TxnHeader(0, 0, NextZxid(), nowMs, (int)OpCode.DeleteContainer);
        var err = PrepOp((int)OpCode.DeleteContainer, new DeleteContainerRequest(path), header, [], out var txn);
        return err == KeeperErrorCode.Ok && txn is not null
            ? new TxnLogEntry(header, txn)
            : new TxnLogEntry(header with { Type = (int)OpCode.Error }, new ErrorTxn((int)err));
    }

    /// <summary>
    /// Forgets the txns from <paramref name="fromZxid"/> on, which could not be persisted: their
    /// change records go, and the next txn takes <paramref name="fromZxid"/> again, so that the log
    /// stays gapless (the failed zxids were never acknowledged to anyone).
    /// </summary>
    /// <param name="fromZxid">The first failed zxid.</param>
    public void Rollback(long fromZxid)
    {
        if (fromZxid > _lastZxid)
        {
            return;
        }

        var kept = new List<ChangeRecord>(_outstanding.Count);
        foreach (var change in _outstanding)
        {
            if (change.Zxid < fromZxid)
            {
                kept.Add(change);
            }
        }

        _outstanding.Clear();
        _outstandingForPath.Clear();
        foreach (var change in kept)
        {
            _outstanding.Enqueue(change);
            _outstandingForPath[change.Path] = change;
        }

        _lastZxid = fromZxid - 1;
    }

    /// <summary>
    /// The zxid after <paramref name="zxid"/>: the counter (low 32 bits) goes up by one, and when
    /// it would reach 0xFFFFFFFF a new epoch starts at counter 1. ZooKeeper's leader refuses to
    /// propose a txn with counter 0xFFFFFFFF and forces a re-election (XidRolloverException),
    /// whose new epoch restarts the counter; a standalone server has no one to elect, so it moves
    /// to the next epoch itself. The new epoch is durable as soon as the first txn carrying it is
    /// logged, and zxids stay increasing as 64-bit numbers, which is all clients compare.
    /// </summary>
    /// <param name="zxid">A zxid.</param>
    /// <returns>The next one.</returns>
    /// <exception cref="InvalidOperationException">Every epoch has been used (2^31 epochs of 2^32 − 2 txns).</exception>
    public static long NextZxid(long zxid)
    {
        var next = zxid + 1;
        if ((uint)next != uint.MaxValue)
        {
            return next;
        }

        var epoch = new Zxid(zxid).Epoch;
        if (epoch == int.MaxValue)
        {
            throw new InvalidOperationException("The zxid space is exhausted: no epoch is left after 0x7fffffff.");
        }

        return Zxid.From(epoch + 1, 1).Value;
    }

    /// <summary>Forgets the change records of txns up to a zxid once they are applied.</summary>
    /// <param name="zxid">The zxid just applied.</param>
    public void TxnApplied(long zxid)
    {
        while (_outstanding.TryPeek(out var change) && change.Zxid <= zxid)
        {
            _outstanding.Dequeue();
            if (_outstandingForPath.TryGetValue(change.Path, out var latest) && ReferenceEquals(latest, change))
            {
                _outstandingForPath.Remove(change.Path);
            }

            // Out of both indexes: nothing refers to it any more (GetRecordForPath hands out copies of its node).
            if (_spareChanges.Count < MaxSpareChanges)
            {
                change.Set(0, PathUtils.Root, null);
                _spareChanges.Push(change);
            }
        }
    }

    private long NextZxid() => _lastZxid = _nextZxid is null ? NextZxid(_lastZxid) : _nextZxid();

    private static string Key(string path) => path.Length == 0 ? PathUtils.Root : path;

    private static bool IsSpecialPath(string path) => Array.IndexOf(SpecialPaths, path) >= 0;

    private static bool CheckVersion(int current, int expected) => expected == -1 || expected == current;

    private NodeView? GetRecordForPath(string path)
    {
        var key = Key(path);
        if (_inMulti && _multiChanges.TryGetValue(key, out var pending))
        {
            return pending.Node;
        }

        if (_outstandingForPath.TryGetValue(key, out var change))
        {
            return change.Node;
        }

        var node = _tree.GetNode(key);
        return node is null ? null : new NodeView(node.Stat, node.ChildCount, node.Acl, node.Data);
    }

    private void AddChangeRecord(long zxid, string path, NodeView? node)
    {
        ChangeRecord change;
        if (_spareChanges.TryPop(out var spare))
        {
            spare.Set(zxid, Key(path), node);
            change = spare;
        }
        else
        {
            change = new ChangeRecord(zxid, Key(path), node);
        }

        if (_inMulti)
        {
            _multiChanges[change.Path] = change;
            _multiOrder.Add(change);
            return;
        }

        _outstanding.Enqueue(change);
        _outstandingForPath[change.Path] = change;
    }

    private KeeperErrorCode PrepMulti(MultiRequest? multi, in TxnHeader header, IReadOnlyList<Id> authInfo, out IJuteRecord? txn)
    {
        txn = null;
        if (multi is null || !TryResolveMultiOps(multi, out var ops))
        {
            return KeeperErrorCode.MarshallingError;
        }

        var txns = new List<Txn>(ops.Length);
        var failed = false;
        _inMulti = true;
        try
        {
            for (var i = 0; i < ops.Length; i++)
            {
                if (failed)
                {
                    txns.Add(new Txn((int)OpCode.Error, new ErrorTxn((int)KeeperErrorCode.RuntimeInconsistency)));
                    continue;
                }

                var err = PrepOp(ops[i].Type, ops[i].Record, header, authInfo, out var subTxn);
                if (err != KeeperErrorCode.Ok || subTxn is null)
                {
                    failed = true;
                    txns.Add(new Txn((int)OpCode.Error, new ErrorTxn((int)err)));
                    continue;
                }

                txns.Add(new Txn(ops[i].Type, subTxn));
            }

            // All ops share the multi's zxid; only a multi that prepped completely leaves changes behind.
            if (!failed)
            {
                foreach (var change in _multiOrder)
                {
                    _outstanding.Enqueue(change);
                    _outstandingForPath[change.Path] = change;
                }
            }
        }
        finally
        {
            _inMulti = false;
            _multiChanges.Clear();
            _multiOrder.Clear();
        }

        txn = new MultiTxn(txns);
        return KeeperErrorCode.Ok;
    }

    /// <summary>
    /// Decides the txn type of each op as ZooKeeper's <c>MultiOperationRecord</c> does when it
    /// reads the request: every op must be a write; a create's flags, not its header type, decide
    /// container and TTL ops; invalid flags, or TTL flags on a plain create, fail the whole multi.
    /// </summary>
    private static bool TryResolveMultiOps(MultiRequest multi, out (int Type, IJuteRecord Record)[] ops)
    {
        ops = new (int, IJuteRecord)[multi.Ops.Count];
        for (var i = 0; i < ops.Length; i++)
        {
            var op = multi.Ops[i];
            switch (op.Type, op.Record)
            {
                case (OpCode.Create or OpCode.Create2 or OpCode.CreateContainer, CreateRequest create):
                    if (!CreateModes.TryFromFlag(create.Flags, out var mode) || mode.IsTtl())
                    {
                        return false;
                    }

                    ops[i] = ((int)(mode.IsContainer() ? OpCode.CreateContainer : op.Type), create);
                    break;
                case (OpCode.CreateTTL, CreateTTLRequest createTtl):
                    // Unknown flags fall back to PERSISTENT here; a non-TTL mode makes a plain create.
                    var ttlMode = CreateModes.TryFromFlag(createTtl.Flags, out var parsed) ? parsed : CreateMode.Persistent;
                    ops[i] = ttlMode.IsTtl()
                        ? ((int)OpCode.CreateTTL, createTtl)
                        : ((int)(ttlMode.IsContainer() ? OpCode.CreateContainer : OpCode.Create),
                            new CreateRequest(createTtl.Path, createTtl.Data, createTtl.Acl, createTtl.Flags));
                    break;
                case (OpCode.Delete, DeleteRequest):
                case (OpCode.SetData, SetDataRequest):
                case (OpCode.Check, CheckVersionRequest):
                    ops[i] = ((int)op.Type, op.Record);
                    break;
                default:
                    // Read ops (or a mix) in a multi: ZooKeeper fails the request as a marshalling error.
                    return false;
            }
        }

        return true;
    }

    private KeeperErrorCode PrepOp(int type, IJuteRecord? body, in TxnHeader header, IReadOnlyList<Id> authInfo, out IJuteRecord? txn)
    {
        txn = null;
        switch ((OpCode)type, body)
        {
            case (OpCode.Create or OpCode.Create2 or OpCode.CreateContainer, CreateRequest create):
                return PrepCreate((OpCode)type, create.Path, create.Data, create.Acl, create.Flags, -1, header, authInfo, out txn);
            case (OpCode.CreateTTL, CreateTTLRequest create):
                return PrepCreate(OpCode.CreateTTL, create.Path, create.Data, create.Acl, create.Flags, create.Ttl, header, authInfo, out txn);
            case (OpCode.Delete, DeleteRequest delete):
                return PrepDelete(delete, header, authInfo, out txn);
            case (OpCode.DeleteContainer, DeleteContainerRequest delete):
                return PrepDeleteContainer(delete.Path, header, out txn);
            case (OpCode.SetData, SetDataRequest setData):
                return PrepSetData(setData, header, authInfo, out txn);
            case (OpCode.SetACL, SetACLRequest setAcl):
                return PrepSetAcl(setAcl, header, authInfo, out txn);
            case (OpCode.Check, CheckVersionRequest check):
                return PrepCheck(check, authInfo, out txn);
            case (OpCode.Reconfig, _):
                // reconfigEnabled is false, ZooKeeper's default; a standalone server could not reconfigure anyway.
                return KeeperErrorCode.ReconfigDisabled;
            default:
                return KeeperErrorCode.MarshallingError;
        }
    }

    // §11.1, in ZooKeeper's order (pRequest2TxnCreate).
    private KeeperErrorCode PrepCreate(
        OpCode type,
        string path,
        byte[]? data,
        IReadOnlyList<ACL>? acl,
        int flags,
        long ttl,
        in TxnHeader header,
        IReadOnlyList<Id> authInfo,
        out IJuteRecord? txn)
    {
        txn = null;
        if (!CreateModes.TryFromFlag(flags, out var mode))
        {
            return KeeperErrorCode.BadArguments;
        }

        // TTL nodes need extendedTypesEnabled; like ZooKeeper, only a TTL flag is Unimplemented,
        // so createTTL with a non-TTL flag and a ttl >= 0 is BadArguments just below.
        if (mode.IsTtl() && !_extendedTypesEnabled)
        {
            return KeeperErrorCode.Unimplemented;
        }

        if (mode.IsTtl() ? !EphemeralOwners.IsValidTtl(ttl) : ttl >= 0)
        {
            return KeeperErrorCode.BadArguments;
        }

        // Deliberate: ZooKeeper lets a non-TTL flag with a negative ttl through, as a txn its data
        // tree cannot apply (Apache ZooKeeper 3.8 stops serving).
        if (type == OpCode.CreateTTL && !mode.IsTtl())
        {
            return KeeperErrorCode.BadArguments;
        }

        var lastSlash = path.LastIndexOf('/');
        if (lastSlash < 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            return KeeperErrorCode.BadArguments;
        }

        var parentPath = path[..lastSlash];
        var aclErr = _acl.Fixup(acl, authInfo, out var fixedAcl);
        if (aclErr != KeeperErrorCode.Ok)
        {
            return aclErr;
        }

        if (GetRecordForPath(parentPath) is not { } parent)
        {
            return KeeperErrorCode.NoNode;
        }

        if (!_acl.Check(parent.Acl, Perms.Create, authInfo))
        {
            return KeeperErrorCode.NoAuth;
        }

        // The suffix is the parent's children-ever-created counter, not the reported cversion (§12).
        if (mode.IsSequential())
        {
            path += PathUtils.FormatSequence(parent.Stat.Cversion);
        }

        if (PathUtils.Validate(path) is not null)
        {
            return KeeperErrorCode.BadArguments;
        }

        if (GetRecordForPath(path) is not null)
        {
            return KeeperErrorCode.NodeExists;
        }

        if (EphemeralOwners.TypeOf(parent.Stat.EphemeralOwner, _extendedTypesEnabled) == EphemeralType.Normal)
        {
            return KeeperErrorCode.NoChildrenForEphemerals;
        }

        // Quota is not enforced (ZooKeeper's default). The frame limit keeps data under
        // jute.maxbuffer already; this guards hosts that feed the core directly.
        if (data is not null && data.Length > _maxDataBytes)
        {
            return KeeperErrorCode.BadArguments;
        }

        var newCversion = parent.Stat.Cversion + 1;
        long ephemeralOwner;
        switch (type)
        {
            case OpCode.CreateContainer:
                txn = new CreateContainerTxn(path, data, fixedAcl, newCversion);
                ephemeralOwner = EphemeralOwners.Container;
                break;
            case OpCode.CreateTTL:
                txn = new CreateTTLTxn(path, data, fixedAcl, newCversion, ttl);
                ephemeralOwner = EphemeralOwners.ForTtl(ttl);
                break;
            default:
                // Opcodes create/create2 make plain nodes whatever the flag says about containers (§9).
                txn = new CreateTxn(path, data, fixedAcl, mode.IsEphemeral(), newCversion);
                ephemeralOwner = mode.IsEphemeral() ? header.ClientId : 0;
                break;
        }

        AddChangeRecord(header.Zxid, parentPath, parent with
        {
            ChildCount = parent.ChildCount + 1,
            Stat = parent.Stat with { Cversion = newCversion, Pzxid = header.Zxid },
        });
        AddChangeRecord(header.Zxid, path, new NodeView(StatPersisted.ForCreate(header.Zxid, header.Time, ephemeralOwner), 0, fixedAcl, data));
        return KeeperErrorCode.Ok;
    }

    // §11.2: the ACL check on the parent comes before the node's existence.
    private KeeperErrorCode PrepDelete(DeleteRequest request, in TxnHeader header, IReadOnlyList<Id> authInfo, out IJuteRecord? txn)
    {
        txn = null;
        var path = request.Path;
        if (!TryGetParentPath(path, out var parentPath))
        {
            return KeeperErrorCode.BadArguments;
        }

        if (GetRecordForPath(parentPath) is not { } parent)
        {
            return KeeperErrorCode.NoNode;
        }

        if (!_acl.Check(parent.Acl, Perms.Delete, authInfo))
        {
            return KeeperErrorCode.NoAuth;
        }

        if (GetRecordForPath(path) is not { } node)
        {
            return KeeperErrorCode.NoNode;
        }

        if (!CheckVersion(node.Stat.Version, request.Version))
        {
            return KeeperErrorCode.BadVersion;
        }

        if (node.ChildCount > 0)
        {
            return KeeperErrorCode.NotEmpty;
        }

        txn = new DeleteTxn(path);
        RecordDelete(header.Zxid, path, parentPath, parent);
        return KeeperErrorCode.Ok;
    }

    private KeeperErrorCode PrepDeleteContainer(string path, in TxnHeader header, out IJuteRecord? txn)
    {
        txn = null;
        if (!TryGetParentPath(path, out var parentPath))
        {
            return KeeperErrorCode.BadArguments;
        }

        if (GetRecordForPath(path) is not { } node)
        {
            return KeeperErrorCode.NoNode;
        }

        // A child may have been created since the node was picked; ZooKeeper also refuses to reap ephemerals.
        if (node.ChildCount > 0)
        {
            return KeeperErrorCode.NotEmpty;
        }

        if (EphemeralOwners.TypeOf(node.Stat.EphemeralOwner, _extendedTypesEnabled) == EphemeralType.Normal)
        {
            return KeeperErrorCode.BadVersion;
        }

        if (GetRecordForPath(parentPath) is not { } parent)
        {
            return KeeperErrorCode.NoNode;
        }

        txn = new DeleteTxn(path);
        RecordDelete(header.Zxid, path, parentPath, parent);
        return KeeperErrorCode.Ok;
    }

    private void RecordDelete(long zxid, string path, string parentPath, NodeView parent)
    {
        AddChangeRecord(zxid, parentPath, parent with
        {
            ChildCount = parent.ChildCount - 1,
            Stat = parent.Stat with { Pzxid = zxid },
        });
        AddChangeRecord(zxid, path, null);
    }

    // §11.3.
    private KeeperErrorCode PrepSetData(SetDataRequest request, in TxnHeader header, IReadOnlyList<Id> authInfo, out IJuteRecord? txn)
    {
        txn = null;
        var path = request.Path;
        if (PathUtils.Validate(path) is not null)
        {
            return KeeperErrorCode.BadArguments;
        }

        if (GetRecordForPath(path) is not { } node)
        {
            return KeeperErrorCode.NoNode;
        }

        if (!_acl.Check(node.Acl, Perms.Write, authInfo))
        {
            return KeeperErrorCode.NoAuth;
        }

        if (!CheckVersion(node.Stat.Version, request.Version))
        {
            return KeeperErrorCode.BadVersion;
        }

        if (request.Data is not null && request.Data.Length > _maxDataBytes)
        {
            return KeeperErrorCode.BadArguments;
        }

        // No overflow guard: the version wraps like a Java int.
        var newVersion = node.Stat.Version + 1;
        txn = new SetDataTxn(path, request.Data, newVersion);
        AddChangeRecord(header.Zxid, path, node with
        {
            Data = request.Data,
            Stat = node.Stat with { Version = newVersion, Mtime = header.Time, Mzxid = header.Zxid },
        });
        return KeeperErrorCode.Ok;
    }

    // §11.4: the ACL is fixed up before the node is looked at; the version is the aversion.
    private KeeperErrorCode PrepSetAcl(SetACLRequest request, in TxnHeader header, IReadOnlyList<Id> authInfo, out IJuteRecord? txn)
    {
        txn = null;
        var path = request.Path;
        if (PathUtils.Validate(path) is not null)
        {
            return KeeperErrorCode.BadArguments;
        }

        var aclErr = _acl.Fixup(request.Acl, authInfo, out var fixedAcl);
        if (aclErr != KeeperErrorCode.Ok)
        {
            return aclErr;
        }

        if (GetRecordForPath(path) is not { } node)
        {
            return KeeperErrorCode.NoNode;
        }

        if (!_acl.Check(node.Acl, Perms.Admin, authInfo))
        {
            return KeeperErrorCode.NoAuth;
        }

        if (!CheckVersion(node.Stat.Aversion, request.Version))
        {
            return KeeperErrorCode.BadVersion;
        }

        var newAversion = node.Stat.Aversion + 1;
        txn = new SetACLTxn(path, fixedAcl, newAversion);
        AddChangeRecord(header.Zxid, path, node with { Acl = fixedAcl, Stat = node.Stat with { Aversion = newAversion } });
        return KeeperErrorCode.Ok;
    }

    // §11.5.
    private KeeperErrorCode PrepCheck(CheckVersionRequest request, IReadOnlyList<Id> authInfo, out IJuteRecord? txn)
    {
        txn = null;
        if (PathUtils.Validate(request.Path) is not null)
        {
            return KeeperErrorCode.BadArguments;
        }

        if (GetRecordForPath(request.Path) is not { } node)
        {
            return KeeperErrorCode.NoNode;
        }

        if (!_acl.Check(node.Acl, Perms.Read, authInfo))
        {
            return KeeperErrorCode.NoAuth;
        }

        if (!CheckVersion(node.Stat.Version, request.Version))
        {
            return KeeperErrorCode.BadVersion;
        }

        txn = new CheckVersionTxn(request.Path, node.Stat.Version + 1);
        return KeeperErrorCode.Ok;
    }

    /// <summary>
    /// The ephemerals a closing session owns once the txns in flight are applied, recorded as
    /// deletions; the txn lists them (ZooKeeper's closeSession prep with closeSessionTxn enabled).
    /// </summary>
    private CloseSessionTxn PrepCloseSession(Session session, long zxid)
    {
        var paths = new HashSet<string>(_tree.GetEphemerals(session.Id), StringComparer.Ordinal);
        foreach (var change in _outstanding)
        {
            if (change.Node is null)
            {
                paths.Remove(change.Path);
            }
            else if (change.Node.Value.Stat.EphemeralOwner == session.Id)
            {
                paths.Add(change.Path);
            }
        }

        foreach (var path in paths)
        {
            var parentPath = PathUtils.GetParent(path);
            if (GetRecordForPath(parentPath) is { } parent)
            {
                RecordDelete(zxid, path, parentPath, parent);
            }
            else
            {
                AddChangeRecord(zxid, path, null);
            }
        }

        return new CloseSessionTxn([.. paths]);
    }

    private static bool TryGetParentPath(string path, out string parentPath)
    {
        var lastSlash = path.LastIndexOf('/');
        if (lastSlash < 0 || path.Contains('\0', StringComparison.Ordinal) || IsSpecialPath(path))
        {
            parentPath = string.Empty;
            return false;
        }

        parentPath = path[..lastSlash];
        return true;
    }
}
