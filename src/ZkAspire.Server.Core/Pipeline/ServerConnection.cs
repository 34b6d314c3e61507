// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// The core's view of one client connection (the part of ZooKeeper's <c>ServerCnxn</c> that is not
/// IO): its identities for ACL checks, the session bound to it and the timeout it negotiated. It
/// is also what watches are registered under.
/// </summary>
/// <remarks>
/// Equality and hashing use the host's id, so that every set and dictionary keyed by connections
/// enumerates in the same order on every run (deterministic replay).
/// </remarks>
internal sealed class ServerConnection : IEquatable<ServerConnection>
{
    private readonly List<Id> _authInfo = new(2);

    /// <summary>Creates a connection with its implicit <c>ip</c> identity (wire-protocol doc §4.4).</summary>
    /// <param name="id">The host's id for it.</param>
    /// <param name="remoteAddress">The client's IP address.</param>
    public ServerConnection(long id, string remoteAddress)
    {
        Id = id;
        RemoteAddress = NormalizeAddress(remoteAddress);
        _authInfo.Add(new Id("ip", RemoteAddress));
    }

    /// <summary>Gets the host's id.</summary>
    public long Id { get; }

    /// <summary>Gets the client's IP address as the <c>ip</c> scheme sees it.</summary>
    public string RemoteAddress { get; }

    /// <summary>Gets the identities, in the order they were added, without duplicates.</summary>
    public IReadOnlyList<Id> AuthInfo => _authInfo;

    /// <summary>Gets or sets the session, once the connect request has been accepted.</summary>
    public Session? Session { get; set; }

    /// <summary>Gets or sets the timeout this connection negotiated; every request refreshes the session with it.</summary>
    public int SessionTimeoutMs { get; set; }

    /// <summary>Gets or sets whether the client sent the readOnly byte (the reply echoes the byte only then).</summary>
    public bool? ClientReadOnly { get; set; }

    /// <summary>
    /// Gets or sets whether the connection has its ConnectResponse. Until then nothing it sends is
    /// processed (ZooKeeper stops reading the socket, wire-protocol doc §4.2 step 4): requests wait
    /// in <see cref="Deferred"/>.
    /// </summary>
    public bool Established { get; set; }

    /// <summary>
    /// Gets or sets the session a learner is revalidating with its leader for this connection
    /// (a client resuming a session here), with the timeout it asked for; 0 when none.
    /// </summary>
    public long RevalidatingSessionId { get; set; }

    /// <summary>Gets or sets the requests that arrived before the ConnectResponse was sent.</summary>
    public List<ClientRequest>? Deferred { get; set; }

    /// <summary>
    /// Gets or sets whether the connection sent something that ends it (an unknown opcode): ZooKeeper
    /// closes such a connection on receipt, so nothing it sends afterwards is processed.
    /// </summary>
    public bool IsClosing { get; set; }

    /// <summary>Gets or sets whether the core has closed the connection or the host reported it gone.</summary>
    public bool IsClosed { get; set; }

    /// <summary>Adds an identity unless present (ZooKeeper keeps them in a set).</summary>
    /// <param name="id">The identity.</param>
    public void AddAuthInfo(Id id)
    {
        if (!_authInfo.Contains(id))
        {
            _authInfo.Add(id);
        }
    }

    /// <inheritdoc/>
    public bool Equals(ServerConnection? other) => other is not null && other.Id == Id;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ServerConnection);

    /// <inheritdoc/>
    public override int GetHashCode() => Id.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => $"connection {Id} ({RemoteAddress})";

    // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d; ZooKeeper (Java) reports a.b.c.d.
    private static string NormalizeAddress(string address)
    {
        const string Mapped = "::ffff:";
        return address.StartsWith(Mapped, StringComparison.OrdinalIgnoreCase) && address.IndexOf('.', StringComparison.Ordinal) > 0
            ? address[Mapped.Length..]
            : address;
    }
}
