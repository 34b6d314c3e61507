// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections;
using System.Globalization;
using System.Text;

namespace ZkAspire.Cli.ServerControl;

/// <summary>
/// The three zoo.cfg settings that server control needs — clientPort, clientPortAddress and
/// dataDir — read as zkaspire-server reads them: the Java properties syntax, then the
/// <c>ZKASPIRE_&lt;key&gt;</c> environment variables the server also applies (it inherits ours).
/// </summary>
/// <remarks>
/// A reader of our own rather than the server's <c>ZooKeeperConfiguration</c>: the CLI is a
/// client tool, installed without the server libraries, and these three keys are all it needs.
/// The tests check that both readers agree on tricky files.
/// </remarks>
/// <param name="Path">The file read.</param>
/// <param name="ClientPort">The client port.</param>
/// <param name="ClientPortAddress">The listen address, or <see langword="null"/> when not set (the server then listens on 127.0.0.1).</param>
/// <param name="DataDir">The data directory, where the pid file goes; <see langword="null"/> when not set.</param>
internal sealed record ZooCfg(string Path, int ClientPort, string? ClientPortAddress, string? DataDir)
{
    /// <summary>The server's default client port.</summary>
    public const int DefaultClientPort = 2181;

    private const string EnvironmentPrefix = "ZKASPIRE_";

    /// <summary>Reads a zoo.cfg.</summary>
    /// <param name="path">The file.</param>
    /// <param name="environment">The environment variables the server will see.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ZooCfgException">The file cannot be read, or a value is malformed.</exception>
    public static ZooCfg Load(string path, IDictionary environment)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ZooCfgException($"cannot read the configuration file '{path}': {e.Message}", e);
        }

        var settings = new Dictionary<string, (string Value, string Source)>(StringComparer.Ordinal);
        foreach (var (key, value, line) in ParseProperties(text))
        {
            settings[key] = (value, string.Create(CultureInfo.InvariantCulture, $"{System.IO.Path.GetFileName(path)} line {line}"));
        }

        // The environment beats the file; the variable's key may be upper case with '_' for '.'.
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
            {
                var key = Normalize(name[EnvironmentPrefix.Length..]);
                foreach (var known in new[] { "clientPort", "clientPortAddress", "dataDir" })
                {
                    if (Normalize(known) == key || Normalize("zookeeper." + known) == key)
                    {
                        settings[known] = ((entry.Value as string ?? string.Empty).Trim(), "environment variable " + name);
                    }
                }
            }
        }

        var port = DefaultClientPort;
        if (settings.TryGetValue("clientPort", out var clientPort)
            && (!int.TryParse(clientPort.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out port) || port is < 0 or > 65535))
        {
            throw new ZooCfgException($"clientPort '{clientPort.Value}' ({clientPort.Source}) is not a port number.");
        }

        var address = settings.TryGetValue("clientPortAddress", out var clientPortAddress) && clientPortAddress.Value.Length > 0
            ? clientPortAddress.Value
            : null;
        var dataDir = settings.TryGetValue("dataDir", out var dir) && dir.Value.Length > 0 ? dir.Value : null;

        // A member of an ensemble may name its client port in its server line only
        // ("server.N=host:2888:3888;[address:]2181", ZooKeeper 3.5+); zkServer.sh status reads it there.
        if (!settings.ContainsKey("clientPort") && ServerLineClientAddress(settings, dataDir, environment) is { } fromLine)
        {
            port = fromLine.Port;
            address ??= fromLine.Address;
        }

        return new ZooCfg(path, port, address, dataDir);
    }

    private static (int Port, string? Address)? ServerLineClientAddress(Dictionary<string, (string Value, string Source)> settings, string? dataDir, IDictionary environment)
    {
        string? id = null;
        try
        {
            if (dataDir is not null && File.Exists(System.IO.Path.Combine(dataDir, "myid")))
            {
                id = File.ReadAllText(System.IO.Path.Combine(dataDir, "myid")).Trim();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        id ??= (environment[EnvironmentPrefix + "MYID"] as string)?.Trim();
        if (id is null || !settings.TryGetValue("server." + id, out var line))
        {
            return null;
        }

        var semicolon = line.Value.IndexOf(';', StringComparison.Ordinal);
        if (semicolon < 0)
        {
            return null;
        }

        var client = line.Value[(semicolon + 1)..].Trim();
        var colon = client.LastIndexOf(':');
        var address = colon < 0 ? null : client[..colon];
        if (address is ['[', .. var bracketed, ']'])
        {
            // [IPv6]:port, as ZooKeeper writes it.
            address = bracketed;
        }

        return int.TryParse(colon < 0 ? client : client[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? (port, address)
            : null;
    }

    /// <summary>
    /// Java's <c>Properties.load</c> syntax, as zkaspire-server reads it: <c>key=value</c>,
    /// <c>key: value</c> or <c>key value</c>; <c>#</c> and <c>!</c> comments; a trailing backslash
    /// continues the line; backslash escapes; keys and values trimmed.
    /// </summary>
    internal static IEnumerable<(string Key, string Value, int Line)> ParseProperties(string text)
    {
        // Java reads CR, LF and CRLF as line ends, and nothing else (a form feed is a blank).
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var first = i + 1;
            var line = lines[i].TrimStart(' ', '\t', '\f');
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }

            var logical = new StringBuilder();
            while (ContinuesOnNextLine(line) && i + 1 < lines.Length)
            {
                logical.Append(line, 0, line.Length - 1);
                line = lines[++i].TrimStart(' ', '\t', '\f');
            }

            logical.Append(ContinuesOnNextLine(line) ? line[..^1] : line);
            var (key, value) = SplitEntry(logical.ToString());
            yield return (key.Trim(), value.Trim(), first);
        }
    }

    private static bool ContinuesOnNextLine(string line)
    {
        var backslashes = line.Length - line.TrimEnd('\\').Length;
        return backslashes % 2 == 1;
    }

    private static (string Key, string Value) SplitEntry(string line)
    {
        var key = new StringBuilder();
        var i = 0;
        for (; i < line.Length; i++)
        {
            var c = line[i];
            if (c is '=' or ':' or ' ' or '\t' or '\f')
            {
                break;
            }

            if (c == '\\' && i + 1 < line.Length)
            {
                key.Append(Unescape(line[++i], line, ref i));
                continue;
            }

            key.Append(c);
        }

        // Blanks, at most one '=' or ':', blanks.
        while (i < line.Length && line[i] is ' ' or '\t' or '\f')
        {
            i++;
        }

        if (i < line.Length && line[i] is '=' or ':')
        {
            i++;
        }

        while (i < line.Length && line[i] is ' ' or '\t' or '\f')
        {
            i++;
        }

        var value = new StringBuilder();
        for (; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                value.Append(Unescape(line[++i], line, ref i));
                continue;
            }

            value.Append(line[i]);
        }

        return (key.ToString(), value.ToString());
    }

    /// <summary>The character an escape stands for; <c>\uXXXX</c> consumes its four digits.</summary>
    private static char Unescape(char escaped, string line, ref int index)
    {
        switch (escaped)
        {
            case 't':
                return '\t';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 'f':
                return '\f';
            case 'u' when index + 4 < line.Length
                && ushort.TryParse(line.AsSpan(index + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                index += 4;
                return (char)code;
            case 'u':
                throw new ZooCfgException("malformed \\uXXXX escape in: " + line);
            default:
                return escaped;
        }
    }

    private static string Normalize(string key) => key.Replace('_', '.').ToUpperInvariant();
}
