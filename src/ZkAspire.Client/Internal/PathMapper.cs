// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client.Internal;

/// <summary>
/// Maps client paths to server paths and back: the chroot of the connection string, then
/// Curator's namespace. Both are purely client-side prefixes (the wire-protocol reference, §23.24):
/// added to every path sent, removed from every path returned, created paths and event paths included.
/// </summary>
internal sealed class PathMapper
{
    public PathMapper(string? chroot, string? @namespace)
    {
        Chroot = chroot;
        Namespace = NormalizeNamespace(@namespace);
        Prefix = (chroot ?? string.Empty) + (Namespace ?? string.Empty);
        var nodes = new List<string>();
        if (Namespace is not null)
        {
            // The namespace nodes to create, outermost first, as server paths under the chroot.
            var path = chroot ?? string.Empty;
            foreach (var segment in Namespace.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                path += "/" + segment;
                nodes.Add(path);
            }
        }

        NamespaceNodes = nodes;
    }

    /// <summary>Gets the chroot, or <see langword="null"/>.</summary>
    public string? Chroot { get; }

    /// <summary>Gets the namespace as a path (<c>/app</c>), or <see langword="null"/>.</summary>
    public string? Namespace { get; }

    /// <summary>Gets the whole prefix, empty when there is none.</summary>
    public string Prefix { get; }

    /// <summary>Gets the server paths of the namespace nodes, outermost first.</summary>
    public IReadOnlyList<string> NamespaceNodes { get; }

    /// <summary>Maps a (valid) client path to the server path.</summary>
    /// <param name="clientPath">The client path.</param>
    /// <returns>The server path.</returns>
    public string ToServer(string clientPath)
    {
        if (Prefix.Length == 0)
        {
            return clientPath;
        }

        return clientPath == PathUtils.Root ? Prefix : Prefix + clientPath;
    }

    /// <summary>Maps a server path back to the client path; paths outside the prefix are returned unchanged.</summary>
    /// <param name="serverPath">The server path.</param>
    /// <returns>The client path.</returns>
    public string ToClient(string serverPath)
    {
        if (Prefix.Length == 0)
        {
            return serverPath;
        }

        if (serverPath.Length == Prefix.Length && string.Equals(serverPath, Prefix, StringComparison.Ordinal))
        {
            return PathUtils.Root;
        }

        return IsUnderPrefix(serverPath) ? serverPath[Prefix.Length..] : serverPath;
    }

    /// <summary>Whether a server path lies strictly below the prefix.</summary>
    /// <param name="serverPath">The server path.</param>
    /// <returns><see langword="true"/> if it does (always, without a prefix).</returns>
    public bool IsUnderPrefix(string serverPath) =>
        Prefix.Length == 0
        || (serverPath.Length > Prefix.Length && serverPath[Prefix.Length] == '/' && serverPath.StartsWith(Prefix, StringComparison.Ordinal));

    private static string? NormalizeNamespace(string? @namespace)
    {
        if (string.IsNullOrWhiteSpace(@namespace))
        {
            return null;
        }

        var path = @namespace.StartsWith('/') ? @namespace : "/" + @namespace;
        if (path == PathUtils.Root)
        {
            return null;
        }

        if (PathUtils.Validate(path) is { } reason)
        {
            throw new ArgumentException($"Invalid namespace '{@namespace}': {reason}", nameof(@namespace));
        }

        return path;
    }
}
