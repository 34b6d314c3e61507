// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>Compares ACL lists by content, so that a snapshot stores each distinct ACL once.</summary>
internal sealed class AclListComparer : IEqualityComparer<IReadOnlyList<ACL>>
{
    /// <summary>The instance.</summary>
    public static readonly AclListComparer Instance = new();

    /// <inheritdoc/>
    public bool Equals(IReadOnlyList<ACL>? x, IReadOnlyList<ACL>? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Count != y.Count)
        {
            return false;
        }

        for (var i = 0; i < x.Count; i++)
        {
            if (!Equals(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public int GetHashCode(IReadOnlyList<ACL> obj)
    {
        var hash = default(HashCode);
        for (var i = 0; i < obj.Count; i++)
        {
            hash.Add(obj[i]);
        }

        return hash.ToHashCode();
    }
}
