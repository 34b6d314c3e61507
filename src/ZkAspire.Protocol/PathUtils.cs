// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>
/// ZooKeeper's path rules (<c>PathUtils.validatePath</c>) and helpers for absolute slash paths.
/// </summary>
public static class PathUtils
{
    /// <summary>The root path.</summary>
    public const string Root = "/";

    /// <summary>The reserved system subtree.</summary>
    public const string ZooKeeperRoot = "/zookeeper";

    /// <summary>The quota subtree.</summary>
    public const string QuotaRoot = "/zookeeper/quota";

    /// <summary>The dynamic configuration node.</summary>
    public const string ConfigNode = "/zookeeper/config";

    /// <summary>Checks a path as ZooKeeper does.</summary>
    /// <param name="path">The path.</param>
    /// <param name="isSequential">
    /// Whether the path is the prefix of a sequential create; then <c>path + "1"</c> is checked,
    /// so a prefix may end in <c>/</c>.
    /// </param>
    /// <returns><see langword="null"/> when valid, else ZooKeeper's message.</returns>
    public static string? Validate(string? path, bool isSequential = false)
    {
        if (path is null)
        {
            return "Path cannot be null";
        }

        return ValidateCore(isSequential ? path + "1" : path);
    }

    private static string? ValidateCore(string path)
    {
        if (path.Length == 0)
        {
            return "Path length must be > 0";
        }

        if (path[0] != '/')
        {
            return "Path must start with / character";
        }

        if (path.Length == 1)
        {
            return null;
        }

        if (path[^1] == '/')
        {
            return "Path must not end with / character";
        }

        string? reason = null;
        var last = '/';
        for (var i = 1; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '\0')
            {
                reason = $"null character not allowed @{i}";
                break;
            }

            if (c == '/' && last == '/')
            {
                reason = $"empty node name specified @{i}";
                break;
            }

            if (c == '.' && last == '.')
            {
                if (path[i - 2] == '/' && (i + 1 == path.Length || path[i + 1] == '/'))
                {
                    reason = $"relative paths not allowed @{i}";
                    break;
                }
            }
            else if (c == '.')
            {
                if (path[i - 1] == '/' && (i + 1 == path.Length || path[i + 1] == '/'))
                {
                    reason = $"relative paths not allowed @{i}";
                    break;
                }
            }
            else if (c is (> '\u0000' and <= '\u001f') or (>= '\u007f' and <= '\u009f') or (>= '\ud800' and <= '\uf8ff') or >= '\ufff0')
            {
                reason = $"invalid character @{i}";
                break;
            }

            last = c;
        }

        return reason is null ? null : $"Invalid path string \"{path}\" caused by {reason}";
    }

    /// <summary>Whether a path is valid.</summary>
    /// <param name="path">The path.</param>
    /// <returns><see langword="true"/> if valid.</returns>
    public static bool IsValid(string? path) => Validate(path) is null;

    /// <summary>The parent of an absolute path; <c>/</c> for a top-level node.</summary>
    /// <param name="path">A valid path other than <c>/</c>.</param>
    /// <returns>The parent path.</returns>
    public static string GetParent(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? Root : path[..slash];
    }

    /// <summary>The last segment of a path.</summary>
    /// <param name="path">A valid path.</param>
    /// <returns>The node's name; empty for <c>/</c>.</returns>
    public static string GetName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path[(path.LastIndexOf('/') + 1)..];
    }

    /// <summary>Joins a parent path and a child name.</summary>
    /// <param name="parent">The parent path.</param>
    /// <param name="child">The child's name.</param>
    /// <returns>The child's path.</returns>
    public static string Combine(string parent, string child)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return parent == Root ? Root + child : parent + "/" + child;
    }

    /// <summary>Formats a sequence number as ZooKeeper does: <c>%010d</c> of a signed int.</summary>
    /// <param name="sequence">The parent's child counter.</param>
    /// <returns>The suffix, e.g. <c>0000000007</c> or <c>-2147483648</c>.</returns>
    public static string FormatSequence(int sequence)
    {
        // Java's %010d pads to a width of ten characters including the sign: -5 is "-000000005".
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return sequence >= 0
            ? sequence.ToString("D10", invariant)
            : "-" + Math.Abs((long)sequence).ToString("D9", invariant);
    }
}
