// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ZkAspire.Server.Core;

/// <summary>
/// Session passwords: the first 16 bytes of HMAC-SHA256 over the big-endian session id, keyed
/// with the server's secret. ZooKeeper seeds <c>java.util.Random</c> with the id XOR a public
/// constant, so anyone who learns an id (cons, dump, ephemeralOwner, logs) can take the session
/// over; a keyed hash makes an id alone worth nothing (wire-protocol doc §4.5).
/// </summary>
internal sealed class SessionPasswords
{
    /// <summary>The password length clients expect.</summary>
    public const int Length = 16;

    private readonly byte[] _secret;

    /// <summary>Creates the generator.</summary>
    /// <param name="secret">The secret key.</param>
    public SessionPasswords(byte[] secret) => _secret = (byte[])secret.Clone();

    /// <summary>The password of a session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <returns>16 bytes.</returns>
    public byte[] For(long sessionId)
    {
        Span<byte> id = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(id, sessionId);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, id, mac);
        return mac[..Length].ToArray();
    }

    /// <summary>Whether a password is the session's, compared in constant time.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="password">The password sent.</param>
    /// <returns><see langword="true"/> if it matches.</returns>
    public bool Check(long sessionId, byte[]? password) =>
        sessionId != 0 && password is { Length: Length } && CryptographicOperations.FixedTimeEquals(password, For(sessionId));
}
