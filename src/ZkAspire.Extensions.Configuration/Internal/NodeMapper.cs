// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using ZkAspire.Protocol;

namespace ZkAspire.Extensions.Configuration.Internal;

/// <summary>Maps a znode below the root to configuration keys and values.</summary>
internal sealed class NodeMapper
{
    private readonly string _root;
    private readonly string? _jsonSuffix;

    /// <summary>Creates a mapper.</summary>
    /// <param name="root">The root path, without a trailing slash (except <c>/</c> itself).</param>
    /// <param name="jsonSuffix">The name suffix of JSON nodes, or <see langword="null"/>.</param>
    public NodeMapper(string root, string? jsonSuffix)
    {
        _root = root;
        _jsonSuffix = string.IsNullOrEmpty(jsonSuffix) ? null : jsonSuffix;
    }

    /// <summary>
    /// The key of a node: its path below the root with <c>/</c> replaced by <c>:</c> (the
    /// configuration key delimiter), and the JSON suffix removed from a JSON node's name; the root
    /// itself has the empty key.
    /// </summary>
    /// <param name="path">The node's path, at or below the root.</param>
    /// <returns>The key.</returns>
    public string KeyOf(string path)
    {
        var relative = path == _root ? string.Empty : path[(_root == PathUtils.Root ? 1 : _root.Length + 1)..];
        if (IsJson(path))
        {
            relative = relative.Length >= _jsonSuffix!.Length ? relative[..^_jsonSuffix.Length] : string.Empty;
        }

        return relative.Replace('/', ':');
    }

    /// <summary>Whether a node holds a JSON document (its name ends with the suffix).</summary>
    /// <param name="path">The node's path.</param>
    /// <returns><see langword="true"/> for a JSON node.</returns>
    public bool IsJson(string path) =>
        _jsonSuffix is not null && PathUtils.GetName(path).EndsWith(_jsonSuffix, StringComparison.Ordinal);

    /// <summary>Maps a node's data.</summary>
    /// <param name="path">The node's path.</param>
    /// <param name="data">Its data; <see langword="null"/> contributes no key.</param>
    /// <param name="stat">Its Stat.</param>
    /// <returns>The node's entry.</returns>
    /// <exception cref="InvalidDataException">A JSON node does not hold a JSON object.</exception>
    public NodeEntry Map(string path, byte[]? data, Stat stat)
    {
        var key = KeyOf(path);
        IReadOnlyList<KeyValuePair<string, string?>> values;
        if (data is null)
        {
            values = [];
        }
        else if (IsJson(path))
        {
            values = Flatten(path, key, data);
        }
        else if (key.Length == 0)
        {
            // The root's own data has no key of its own.
            values = [];
        }
        else
        {
            values = [new(key, Encoding.UTF8.GetString(data))];
        }

        return new NodeEntry(stat.Czxid, stat.Mzxid, values);
    }

    private static KeyValuePair<string, string?>[] Flatten(string path, string key, byte[] data)
    {
        if (data.Length == 0)
        {
            return [];
        }

        // The JSON provider's own parser, so that flattening (nesting, arrays, nulls, empty objects,
        // comments, duplicate keys) is exactly what appsettings.json gets.
        var parser = new JsonDocumentParser();
        IDictionary<string, string?> flat;
        try
        {
            flat = parser.Parse(data);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"The ZooKeeper node '{path}' does not hold a valid JSON object: {e.Message}", e);
        }

        return [.. flat.Select(p => new KeyValuePair<string, string?>(key.Length == 0 ? p.Key : key + ConfigurationPath.KeyDelimiter + p.Key, p.Value))];
    }

    /// <summary>Exposes the JSON provider's parsed data.</summary>
    private sealed class JsonDocumentParser() : JsonStreamConfigurationProvider(new JsonStreamConfigurationSource())
    {
        public IDictionary<string, string?> Parse(byte[] json)
        {
            using var stream = new MemoryStream(json, writable: false);
            Load(stream);
            return Data;
        }
    }
}
