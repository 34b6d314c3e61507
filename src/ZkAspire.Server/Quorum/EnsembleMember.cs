// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Server.Consensus;

namespace ZkAspire.Server.Quorum;

/// <summary>
/// One <c>server.N</c> line of zoo.cfg, parsed as ZooKeeper 3.5+ reads it
/// (<c>QuorumPeer.QuorumServer</c>): <c>host:quorumPort:electionPort[:participant|observer][;[clientAddress:]clientPort]</c>.
/// </summary>
/// <param name="Id">The server id (<c>N</c>, the <c>myid</c> of that server).</param>
/// <param name="Host">The host the peer ports are on.</param>
/// <param name="QuorumPort">The port followers connect to the leader on (2888 in ZooKeeper's examples).</param>
/// <param name="ElectionPort">The port of leader election (3888 in ZooKeeper's examples).</param>
/// <param name="Type">Whether it votes (participant) or only follows (observer).</param>
/// <param name="ClientAddress">The client address after the <c>;</c>, if the line names one.</param>
/// <param name="ClientPort">The client port after the <c>;</c>, if the line names one.</param>
public sealed record EnsembleMember(long Id, string Host, int QuorumPort, int ElectionPort, LearnerType Type, string? ClientAddress, int? ClientPort)
{
    /// <summary>Parses the text after <c>server.N=</c>.</summary>
    /// <param name="id">The server id.</param>
    /// <param name="text">The text.</param>
    /// <returns>The member.</returns>
    /// <exception cref="FormatException">The text is not a server line; the message says why.</exception>
    public static EnsembleMember Parse(long id, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? clientAddress = null;
        int? clientPort = null;
        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
        var peers = semicolon < 0 ? text : text[..semicolon];
        if (semicolon >= 0)
        {
            var client = text[(semicolon + 1)..].Trim();
            var colon = client.LastIndexOf(':');
            var portText = colon < 0 ? client : client[(colon + 1)..];
            clientAddress = colon < 0 ? null : client[..colon];
            if (clientAddress is ['[', .. var bracketed, ']'])
            {
                // [IPv6]:port, as ZooKeeper writes it.
                clientAddress = bracketed;
            }
            clientPort = ParsePort(portText, "client port");
        }

        // ZooKeeper accepts IPv6 addresses in brackets; the host is everything before the port fields.
        var parts = SplitHost(peers.Trim(), out var host);
        if (parts.Length is < 2 or > 3)
        {
            throw new FormatException("expected host:quorumPort:electionPort[:participant|observer][;[clientAddress:]clientPort]");
        }

        var type = LearnerType.Participant;
        if (parts.Length == 3)
        {
            type = parts[2].ToUpperInvariant() switch
            {
                "PARTICIPANT" => LearnerType.Participant,
                "OBSERVER" => LearnerType.Observer,
                _ => throw new FormatException($"'{parts[2]}' is not a peer type: expected participant or observer"),
            };
        }

        if (host.Length == 0)
        {
            throw new FormatException("the host is empty");
        }

        var quorumPort = ParsePort(parts[0], "quorum port");
        var electionPort = ParsePort(parts[1], "election port");
        if (quorumPort == electionPort)
        {
            // ZooKeeper: "Server ... has the same port for quorum and election".
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"the quorum port and the election port are both {quorumPort}"));
        }

        return new EnsembleMember(id, host, quorumPort, electionPort, type, clientAddress, clientPort);
    }

    /// <summary>Gets the line as zoo.cfg and <c>/zookeeper/config</c> write it.</summary>
    /// <returns>The <c>server.N=…</c> line.</returns>
    public string ToConfigLine()
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"server.{Id}={Delimited(Host)}:{QuorumPort}:{ElectionPort}:{(Type == LearnerType.Observer ? "observer" : "participant")}");
        if (ClientPort is { } port)
        {
            line += string.Create(CultureInfo.InvariantCulture, $";{Delimited(ClientAddress ?? "0.0.0.0")}:{port}");
        }

        return line;
    }

    /// <summary>An IPv6 address in brackets, as ZooKeeper writes one before a port; other hosts as they are.</summary>
    private static string Delimited(string host) => host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;

    private static string[] SplitHost(string text, out string host)
    {
        if (text.StartsWith('['))
        {
            var end = text.IndexOf(']', StringComparison.Ordinal);
            if (end < 0 || end + 1 >= text.Length || text[end + 1] != ':')
            {
                throw new FormatException("an IPv6 address in brackets must be followed by :quorumPort:electionPort");
            }

            host = text[1..end];
            return text[(end + 2)..].Split(':');
        }

        var fields = text.Split(':');
        host = fields[0];
        return fields[1..];
    }

    private static int ParsePort(string text, string what) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new FormatException($"the {what} '{text.Trim()}' is not a port (1 to 65535)");
}
