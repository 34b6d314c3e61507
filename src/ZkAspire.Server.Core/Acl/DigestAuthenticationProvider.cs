// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Security.Cryptography;
using System.Text;
using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// The <c>digest</c> scheme (ZooKeeper's <c>DigestAuthenticationProvider</c>): credentials
/// <c>user:password</c> become the identity <c>user:base64(sha1(user:password))</c>; the super
/// digest, when it matches, adds <c>super:</c> (wire-protocol doc §10).
/// </summary>
internal sealed class DigestAuthenticationProvider : IAuthenticationProvider
{
    private readonly string? _superDigest;

    /// <summary>Creates the provider.</summary>
    /// <param name="superDigest">The configured super digest, <c>super:&lt;hash&gt;</c>, or <see langword="null"/>.</param>
    public DigestAuthenticationProvider(string? superDigest) => _superDigest = superDigest;

    /// <inheritdoc/>
    public string Scheme => "digest";

    /// <inheritdoc/>
    public bool IsAuthenticated => true;

    /// <summary>Computes the digest identity of <c>user:password</c> (<c>generateDigest</c>).</summary>
    /// <param name="idPassword">The credentials.</param>
    /// <returns><c>user:</c> followed by the Base64 SHA-1 of the whole string.</returns>
    public static string GenerateDigest(string idPassword)
    {
        var colon = idPassword.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? idPassword : idPassword[..colon];

        // SHA-1 is what ZooKeeper's digest scheme is defined with; it is an id, not a password store.
#pragma warning disable CA5350
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(idPassword));
#pragma warning restore CA5350
        return user + ":" + Convert.ToBase64String(hash);
    }

    /// <inheritdoc/>
    public bool Authenticate(ServerConnection connection, byte[]? auth, List<Id> identities)
    {
        // ZooKeeper decodes the bytes leniently and never rejects digest credentials (§23.22).
        var digest = GenerateDigest(Encoding.UTF8.GetString(auth ?? []));
        if (string.Equals(digest, _superDigest, StringComparison.Ordinal))
        {
            identities.Add(new Id("super", string.Empty));
        }

        identities.Add(new Id(Scheme, digest));
        return true;
    }

    /// <inheritdoc/>
    public bool IsValid(string id) => AclIds.JavaSplitCount(id, ':') == 2;

    /// <inheritdoc/>
    public bool Matches(string identity, string aclId) => string.Equals(identity, aclId, StringComparison.Ordinal);

    /// <inheritdoc/>
    public string UserName(string identity)
    {
        var colon = identity.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? identity : identity[..colon];
    }
}
