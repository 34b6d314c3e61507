// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Cli.Shell.Parsing;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// <c>config [-c] [-w] [-s]</c>: the ensemble's dynamic configuration (<c>/zookeeper/config</c>);
/// with <c>-c</c> only the version and the client connection string, as
/// <c>ConfigUtils.getClientConfigStr</c> makes it (<c>" "</c> for a standalone server).
/// </summary>
internal sealed class GetConfigCommand() : ShellCommand("config", "[-c] [-w] [-s]")
{
    private static readonly OptionSet Options = new OptionSet()
        .Add("s", false, "stats")
        .Add("w", false, "watch")
        .Add("c", false, "client connection string");

    private ParsedCommand _parsed = null!;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output) => _parsed = ParseOptions(Options, words);

    public override async Task ExecuteAsync(ShellContext context)
    {
        var watch = _parsed.Has("w");
        var node = await CallAsync(context, null, (client, ct) => watch
            ? client.GetConfigAsync(context.Watcher, ct)
            : client.GetConfigAsync(ct)).ConfigureAwait(false);
        var text = node.Data is null ? "null" : Encoding.UTF8.GetString(node.Data);
        context.Output.Out(_parsed.Has("c") ? ClientConfig(text) : text);
        if (_parsed.Has("s"))
        {
            StatPrinter.Print(context.Output, node.Stat);
        }
    }

    /// <summary>
    /// <c>ConfigUtils.getClientConfigStr</c>: <c>version host:port,host:port</c> from the
    /// <c>version=</c> line and each <c>server.N=…;[clientAddress:]clientPort</c> line. Java walks
    /// a hash table, so its server order is arbitrary; ours is by server id.
    /// </summary>
    internal static string ClientConfig(string config)
    {
        var version = string.Empty;
        var servers = new SortedDictionary<long, string?>();
        foreach (var rawLine in config.Split('\n'))
        {
            var line = rawLine.Trim();
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] is '#' or '!' || equals < 0)
            {
                continue;
            }

            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (key == "version")
            {
                version = value;
            }
            else if (key.StartsWith("server.", StringComparison.Ordinal)
                && long.TryParse(key.AsSpan("server.".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                servers[id] = ClientAddress(value);
            }
        }

        return version + " " + string.Join(",", servers.Values.Select(s => s ?? string.Empty));
    }

    /// <summary>The client address of a server line, <c>host:port</c>; a bare port listens on every address (<c>0.0.0.0</c>).</summary>
    private static string? ClientAddress(string server)
    {
        var semicolon = server.IndexOf(';', StringComparison.Ordinal);
        if (semicolon < 0)
        {
            return null;
        }

        var client = server[(semicolon + 1)..].Trim();
        return client.Contains(':', StringComparison.Ordinal) ? client : "0.0.0.0:" + client;
    }
}
