// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A change of the client's <see cref="ConnectionState"/>.</summary>
/// <param name="State">The new state.</param>
/// <param name="KeeperState">
/// The matching keeper state of the Java client: <see cref="KeeperState.SyncConnected"/> for
/// Connected and Reconnected, <see cref="KeeperState.ConnectedReadOnly"/>,
/// <see cref="KeeperState.Disconnected"/> for Suspended, and <see cref="KeeperState.Expired"/> or
/// <see cref="KeeperState.AuthFailed"/> for Lost.
/// </param>
/// <param name="SessionId">The session id after the change (0 while no session exists).</param>
/// <param name="IsNewSession">Whether a connection was made with a session other than the previous one.</param>
public sealed record ConnectionStateChange(ConnectionState State, KeeperState KeeperState, long SessionId, bool IsNewSession)
{
    /// <summary>Gets whether the client is connected after this change.</summary>
    public bool IsConnected => State is ConnectionState.Connected or ConnectionState.Reconnected or ConnectionState.ReadOnly;
}
