// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Hosting.Internal;

/// <summary>What a server's <c>srvr</c> answer says about it.</summary>
/// <param name="Serving">Whether the server serves clients; a member without a quorum answers "This ZooKeeper instance is not currently serving requests".</param>
/// <param name="Mode">The <c>Mode:</c> line: <c>standalone</c>, <c>leader</c>, <c>follower</c> or <c>observer</c>; <see langword="null"/> when not serving.</param>
/// <param name="Zxid">The <c>Zxid:</c> line, as the server writes it (<c>0x…</c>); <see langword="null"/> when not serving.</param>
internal sealed record ServerStatus(bool Serving, string? Mode, string? Zxid)
{
    /// <summary>What ZooKeeper answers to every 4lw but <c>ruok</c>/<c>isro</c> while it has no quorum (ZooKeeper's <c>ZK_NOT_SERVING</c>).</summary>
    public const string NotServing = "This ZooKeeper instance is not currently serving requests";

    /// <summary>Reads a <c>srvr</c> (or <c>stat</c>) answer.</summary>
    /// <param name="answer">The answer's text.</param>
    /// <returns>The status; not serving when the answer has no <c>Mode:</c> line.</returns>
    public static ServerStatus Parse(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        string? mode = null;
        string? zxid = null;
        foreach (var rawLine in answer.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.StartsWith("Mode:", StringComparison.Ordinal))
            {
                mode = line["Mode:".Length..].Trim();
            }
            else if (line.StartsWith("Zxid:", StringComparison.Ordinal))
            {
                zxid = line["Zxid:".Length..].Trim();
            }
        }

        return new ServerStatus(mode is not null, mode, zxid);
    }

    /// <summary>The zxid as a number, when the server wrote one.</summary>
    public long? ZxidValue =>
        Zxid is { } text && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
