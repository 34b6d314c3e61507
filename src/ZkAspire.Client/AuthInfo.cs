// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;

namespace ZkAspire.Client;

/// <summary>Credentials the client sends on every connection (an auth packet).</summary>
/// <param name="Scheme">The scheme, e.g. <c>digest</c>.</param>
/// <param name="Auth">The credentials; for digest, the UTF-8 of <c>user:password</c>.</param>
public sealed record AuthInfo(string Scheme, byte[] Auth)
{
    /// <summary>Creates digest credentials.</summary>
    /// <param name="user">The user name.</param>
    /// <param name="password">The password.</param>
    /// <returns>The credentials <c>digest user:password</c>.</returns>
    public static AuthInfo Digest(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        return new AuthInfo("digest", Encoding.UTF8.GetBytes(user + ":" + password));
    }

    /// <inheritdoc/>
    public bool Equals(AuthInfo? other) =>
        other is not null && Scheme == other.Scheme && Auth.AsSpan().SequenceEqual(other.Auth);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Scheme);
        hash.AddBytes(Auth);
        return hash.ToHashCode();
    }
}
