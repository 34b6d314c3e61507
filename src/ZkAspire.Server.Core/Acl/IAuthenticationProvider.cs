// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>One ACL scheme (ZooKeeper's <c>ServerAuthenticationProvider</c>): how credentials become identities and how identities match ACL ids.</summary>
internal interface IAuthenticationProvider
{
    /// <summary>Gets the scheme name, e.g. <c>digest</c>.</summary>
    string Scheme { get; }

    /// <summary>
    /// Gets whether identities of this scheme count as "authenticated", i.e. whether the
    /// <c>auth</c> ACL scheme expands to them (digest does, ip does not; wire-protocol doc §10).
    /// </summary>
    bool IsAuthenticated { get; }

    /// <summary>Turns an auth packet's credentials into identities of the connection.</summary>
    /// <param name="connection">The connection authenticating.</param>
    /// <param name="auth">The credentials.</param>
    /// <param name="identities">Receives the identities to add.</param>
    /// <returns><see langword="false"/> if the credentials are rejected (AuthFailed).</returns>
    bool Authenticate(ServerConnection connection, byte[]? auth, List<Protocol.Id> identities);

    /// <summary>Whether an ACL id of this scheme is well formed (else InvalidACL).</summary>
    /// <param name="id">The id.</param>
    /// <returns><see langword="true"/> if valid.</returns>
    bool IsValid(string id);

    /// <summary>Whether a connection identity satisfies an ACL id.</summary>
    /// <param name="identity">The connection's identity (same scheme).</param>
    /// <param name="aclId">The ACL entry's id.</param>
    /// <returns><see langword="true"/> on a match.</returns>
    bool Matches(string identity, string aclId);

    /// <summary>The user name whoAmI reports for an identity.</summary>
    /// <param name="identity">The identity.</param>
    /// <returns>The user.</returns>
    string UserName(string identity);
}
