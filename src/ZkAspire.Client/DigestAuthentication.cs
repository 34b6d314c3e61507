// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Security.Cryptography;
using System.Text;
using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>
/// The digest scheme's identities: <c>user:base64(sha1("user:password"))</c>, as the server
/// computes them from <c>addauth digest user:password</c> (<c>DigestAuthenticationProvider</c>).
/// </summary>
public static class DigestAuthentication
{
    /// <summary>Computes the digest id of <c>user:password</c>.</summary>
    /// <param name="user">The user.</param>
    /// <param name="password">The password.</param>
    /// <returns>The id, e.g. <c>alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=</c>.</returns>
    public static string GenerateDigest(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);

        // The hash covers the whole "user:password" string (the wire-protocol reference, §10).
#pragma warning disable CA5350 // ZooKeeper's digest scheme is defined with SHA-1.
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(user + ":" + password));
#pragma warning restore CA5350
        return user + ":" + Convert.ToBase64String(hash);
    }

    /// <summary>Makes the ACL id of a digest user.</summary>
    /// <param name="user">The user.</param>
    /// <param name="password">The password.</param>
    /// <returns>The id <c>digest:user:hash</c>.</returns>
    public static Id CreateId(string user, string password) => new("digest", GenerateDigest(user, password));
}
