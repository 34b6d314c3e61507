// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Security.Cryptography;
using System.Text;
using ZkAspire.Protocol;

namespace ZkAspire.Extensions.DistributedLock;

/// <summary>
/// Maps lock names to znode paths the way DistributedLock's ZooKeeper provider does
/// (<c>ZooKeeperPath.GetChildNodePathWithSafeName</c>), so a name means the same node in both.
/// </summary>
/// <remarks>
/// <para>
/// A name that is a valid znode name (ZooKeeper programmer's guide, "ZooKeeper data model": no
/// <c>/</c>, no null character, none of U+0001–U+001F, U+007F–U+009F, U+D800–U+F8FF,
/// U+FFF0–U+FFFF, not <c>.</c> or <c>..</c>, and not <c>zookeeper</c> directly under the root) is
/// used as it is: <c>orders</c> under <c>/locks</c> is <c>/locks/orders</c>.
/// </para>
/// <para>
/// Any other name is made valid — the empty name becomes <c>EMPTY</c>; <c>.</c>, <c>..</c> and a
/// reserved <c>zookeeper</c> get a trailing <c>_</c>; every invalid character becomes <c>_</c> —
/// and the Base64 SHA-512 of the name's UTF-8 bytes is appended (with <c>/</c> written as
/// <c>_</c>), so two different names never share a node: <c>a/b</c> is
/// <c>a_b</c> followed by 88 characters of hash. Names are case-sensitive.
/// </para>
/// </remarks>
public static class ZooKeeperLockNames
{
    /// <summary>Gets the znode path of a name under a base path.</summary>
    /// <param name="basePath">The parent znode (the root is allowed).</param>
    /// <param name="name">The lock's name: any string.</param>
    /// <returns>The path.</returns>
    /// <exception cref="ArgumentException"><paramref name="basePath"/> is not a valid ZooKeeper path.</exception>
    public static string GetPath(string basePath, string name)
    {
        ValidateBasePath(basePath, nameof(basePath));
        ArgumentNullException.ThrowIfNull(name);
        return PathUtils.Combine(basePath, GetNodeName(name, isRootChild: basePath == PathUtils.Root));
    }

    /// <summary>Gets the node name of a lock name (a single path segment).</summary>
    /// <param name="name">The lock's name.</param>
    /// <param name="isRootChild">Whether the node goes directly under the root, where <c>zookeeper</c> is reserved.</param>
    /// <returns>The node name.</returns>
    public static string GetNodeName(string name, bool isRootChild)
    {
        ArgumentNullException.ThrowIfNull(name);
        var valid = ToValidName(name, isRootChild);
        if (string.Equals(valid, name, StringComparison.Ordinal))
        {
            return name;
        }

        // Base64 may contain '/', the one character a name cannot have; '_' is not in Base64, so
        // replacing it keeps the hash as distinct as it was.
        var hash = Convert.ToBase64String(SHA512.HashData(Encoding.UTF8.GetBytes(name))).Replace('/', '_');
        return valid + hash;
    }

    /// <summary>Checks a base path.</summary>
    /// <param name="basePath">The path.</param>
    /// <param name="parameterName">The caller's parameter.</param>
    /// <returns>The path.</returns>
    internal static string ValidateBasePath(string basePath, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(basePath, parameterName);
        if (PathUtils.Validate(basePath) is { } error)
        {
            throw new ArgumentException($"The base path '{basePath}' is not a valid ZooKeeper path: {error}", parameterName);
        }

        return basePath;
    }

    private static string ToValidName(string name, bool isRootChild)
    {
        if (name.Length == 0)
        {
            return "EMPTY";
        }

        // "." and ".." are relative paths; /zookeeper is the server's own subtree (programmer's guide, "ZNodes").
        if (name is "." or ".." || (isRootChild && name == "zookeeper"))
        {
            return name + "_";
        }

        if (!name.Contains('/', StringComparison.Ordinal) && PathUtils.Validate("/" + name) is null)
        {
            return name;
        }

        return string.Create(name.Length, name, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                chars[i] = c is '/' or (>= '\u0000' and <= '\u001f') or (>= '\u007f' and <= '\u009f') or (>= '\ud800' and <= '\uf8ff') or >= '\ufff0' ? '_' : c;
            }
        });
    }
}
