// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>
/// The connection states a client reports, as Curator defines them (<c>ConnectionState</c>):
/// recipes react to these rather than to raw keeper states.
/// </summary>
public enum ConnectionState
{
    /// <summary>The first successful connection of the client.</summary>
    Connected,

    /// <summary>
    /// The connection was lost; the session may still be alive. Curator: "Leaders, locks, etc. should
    /// suspend until the connection is re-established" — treat ownership as uncertain.
    /// </summary>
    Suspended,

    /// <summary>
    /// A connection was made again after <see cref="Suspended"/> (same session) or after
    /// <see cref="Lost"/> (a new session; see <see cref="ConnectionStateChange.IsNewSession"/>).
    /// </summary>
    Reconnected,

    /// <summary>
    /// The session is gone: the server said it expired, or — as Curator 3 and later decide on the
    /// client — the session timeout elapsed while disconnected. Ephemeral nodes and watches of the
    /// session are lost; the client then creates a new session.
    /// </summary>
    Lost,

    /// <summary>Connected to a read-only server (only with <see cref="ZooKeeperClientOptions.CanBeReadOnly"/>).</summary>
    ReadOnly,
}
