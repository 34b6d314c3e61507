// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// One session (ZooKeeper's <c>SessionImpl</c>) plus the queue of its requests still waiting for
/// an earlier write to commit (ZooKeeper's <c>CommitProcessor</c> keeps that queue per session).
/// </summary>
internal sealed class Session : IEquatable<Session>
{
    /// <summary>Creates a session.</summary>
    /// <param name="id">The session id.</param>
    /// <param name="timeoutMs">The negotiated timeout.</param>
    public Session(long id, int timeoutMs)
    {
        Id = id;
        TimeoutMs = timeoutMs;
        PersistedTimeoutMs = timeoutMs;
    }

    /// <summary>Gets the session id.</summary>
    public long Id { get; }

    /// <summary>Gets or sets the timeout last negotiated for it.</summary>
    public int TimeoutMs { get; set; }

    /// <summary>
    /// Gets the timeout its createSession txn recorded: what snapshots keep and a restore brings
    /// back (ZooKeeper's <c>sessionsWithTimeouts</c>); a resume with another timeout changes
    /// <see cref="TimeoutMs"/> only, as it writes no txn.
    /// </summary>
    public int PersistedTimeoutMs { get; set; }

    /// <summary>
    /// Gets or sets whether its createSession txn has been applied (or it was restored): only
    /// such sessions are part of the durable state a snapshot copies.
    /// </summary>
    public bool IsCommitted { get; set; }

    /// <summary>Gets or sets whether a closeSession txn has been prepped: it accepts nothing more.</summary>
    public bool IsClosing { get; set; }

    /// <summary>
    /// Gets or sets the server whose client connection owns the session, on a leader (ZooKeeper's
    /// <c>SessionImpl.owner</c>): a write forwarded by another server gets SessionMoved. 0 until a
    /// server claims it (after a leader change, the first server to use it).
    /// </summary>
    public long Owner { get; set; }

    /// <summary>
    /// Gets or sets, on a leader, the owning server's connection the session is bound to (set at
    /// createSession and revalidation): writes the owner forwards from another of its connections
    /// are stragglers of a closed connection and are dropped.
    /// </summary>
    public long OwnerConnection { get; set; }

    /// <summary>
    /// Gets or sets the xid of the last write a leader prepped from <see cref="OwnerConnection"/>:
    /// one client connection's writes arrive in xid order (the client numbers them, one link
    /// carries them), so one at or below it is a duplicate or a straggler and is dropped. A new
    /// owner connection (perhaps a new client handle, whose xids start at 1 again) starts it over.
    /// </summary>
    public int LastForwardedXid { get; set; }

    /// <summary>Binds the session to a server's connection (a leader's record of ownership).</summary>
    /// <param name="server">The server.</param>
    /// <param name="connectionId">That server's connection.</param>
    public void Claim(long server, long connectionId)
    {
        Owner = server;
        OwnerConnection = connectionId;
        LastForwardedXid = 0;
    }

    /// <summary>Gets or sets the connection currently bound to it.</summary>
    public ServerConnection? Connection { get; set; }

    /// <summary>Gets the requests received and not yet answered, in arrival order; the head is a write waiting for its commit.</summary>
    public Queue<Request> Pending { get; } = new();

    /// <inheritdoc/>
    public bool Equals(Session? other) => other is not null && other.Id == Id;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Session);

    /// <inheritdoc/>
    public override int GetHashCode() => Id.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => "0x" + Id.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
