// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Recipes.Internal;

/// <summary>Argument checks for recipe paths.</summary>
internal static class RecipePaths
{
    /// <summary>Checks that a path is a valid ZooKeeper path other than the root (Curator's <c>PathUtils.validatePath</c>).</summary>
    /// <param name="path">The path.</param>
    /// <param name="parameterName">The caller's parameter.</param>
    /// <returns>The path.</returns>
    public static string Validate(string path, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(path, parameterName);
        if (PathUtils.Validate(path) is { } error)
        {
            throw new ArgumentException($"Invalid path '{path}': {error}", parameterName);
        }

        if (path == PathUtils.Root)
        {
            throw new ArgumentException("A recipe needs a path of its own, not the root.", parameterName);
        }

        return path;
    }

    /// <summary>Checks that a name is a valid single path segment.</summary>
    /// <param name="name">The name.</param>
    /// <param name="parameterName">The caller's parameter.</param>
    /// <returns>The name.</returns>
    public static string ValidateName(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, parameterName);
        if (name.Contains('/', StringComparison.Ordinal) || PathUtils.Validate("/" + name) is not null || name is "." or "..")
        {
            throw new ArgumentException($"'{name}' is not a valid node name.", parameterName);
        }

        return name;
    }
}
