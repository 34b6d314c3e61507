// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text.RegularExpressions;
using ZkAspire.Client;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Recipes.Tests.Infrastructure;

/// <summary>What a test reads of the server's state from outside: watches (wchp) and children, awaited with watches.</summary>
public static partial class ServerState
{
    /// <summary>Reads the server's watches by path (the <c>wchp</c> four-letter word).</summary>
    /// <param name="server">The server.</param>
    /// <param name="under">Only paths under this one (and itself).</param>
    /// <returns>For each watched path, the sessions that watch it.</returns>
    public static async Task<Dictionary<string, HashSet<long>>> WatchesAsync(this ServerFixture server, string under)
    {
        var text = await FourLetterWordClient.SendAsync(server.Port, "wchp");
        var watches = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
        HashSet<long>? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('/'))
            {
                current = line == under || line.StartsWith(under + "/", StringComparison.Ordinal) ? [] : null;
                if (current is not null)
                {
                    watches[line] = current;
                }
            }
            else if (current is not null && SessionPattern().Match(line) is { Success: true } match)
            {
                current.Add(long.Parse(match.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        return watches;
    }

    /// <summary>Waits, with child watches, until a node has a number of children.</summary>
    /// <param name="client">A client.</param>
    /// <param name="path">The node.</param>
    /// <param name="count">The number of children to wait for.</param>
    /// <returns>The children, sorted.</returns>
    public static async Task<List<string>> WaitForChildrenAsync(this ZooKeeperClient client, string path, int count) =>
        await client.WaitForChildrenAsync(path, children => children.Count == count);

    /// <summary>Waits, with watches, until a node's children satisfy a condition (the node may not exist yet).</summary>
    /// <param name="client">A client.</param>
    /// <param name="path">The node.</param>
    /// <param name="condition">The condition.</param>
    /// <returns>The children, sorted.</returns>
    public static async Task<List<string>> WaitForChildrenAsync(this ZooKeeperClient client, string path, Func<List<string>, bool> condition)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestHelpers.Ct);
        cts.CancelAfter(TestHelpers.Patience);
        List<string> children = [];
        try
        {
            while (true)
            {
                Task fired;
                try
                {
                    var watched = await client.GetChildrenAndWatchAsync(path, cts.Token);
                    children = [.. watched.Result.Order(StringComparer.Ordinal)];
                    fired = watched.Triggered;
                }
                catch (NoNodeException)
                {
                    children = [];
                    var exists = await client.ExistsAndWatchAsync(path, cts.Token);
                    if (exists.Result is not null)
                    {
                        continue;
                    }

                    fired = exists.Triggered;
                }

                if (condition(children))
                {
                    return children;
                }

                await fired.WaitAsync(cts.Token);
            }
        }
        catch (OperationCanceledException) when (!TestHelpers.Ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The children of {path} did not reach the expected state; last seen: [{string.Join(", ", children)}]");
        }
    }

    [GeneratedRegex(@"0x([0-9a-fA-F]+)")]
    private static partial Regex SessionPattern();
}
