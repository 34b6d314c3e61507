// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Client;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.Ensemble;

/// <summary>
/// Every znode one member holds, read from that member alone after a <c>sync</c> (so it has
/// applied everything committed before the read began): path → data and Stat.
/// </summary>
internal static class MemberData
{
    /// <summary>Reads the whole tree of <paramref name="member"/>.</summary>
    /// <param name="member">The member, read directly.</param>
    /// <param name="cancellationToken">The test's token.</param>
    /// <returns>Each znode's path and a line with its data (hex) and every Stat field.</returns>
    public static async Task<SortedDictionary<string, string>> ReadAsync(EnsembleMember member, CancellationToken cancellationToken)
    {
        await using var client = await ZooKeeperClient.ConnectAsync(EnsembleWriteLoad.Options(member.ConnectionString), cancellationToken);
        await client.SyncAsync("/", cancellationToken);
        var nodes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        List<string> level = ["/"];
        while (level.Count > 0)
        {
            // One level at a time, every read of the level in flight at once (pipelined on the one
            // connection, answered in order).
            var data = level.Select(p => client.GetDataAsync(p, cancellationToken)).ToList();
            var children = level.Select(p => client.GetChildrenAsync(p, cancellationToken)).ToList();
            var read = await Task.WhenAll(data);
            var listed = await Task.WhenAll(children);
            var next = new List<string>();
            for (var i = 0; i < level.Count; i++)
            {
                // The /zookeeper znodes are each server's own (made at start, /zookeeper/config set
                // from its zoo.cfg with its own clock), not replicated by txns: their data only.
                nodes[level[i]] = Convert.ToHexString(read[i].Data ?? []) + (IsSystem(level[i]) ? string.Empty : " " + read[i].Stat);
                next.AddRange(listed[i].Select(c => (level[i] == "/" ? "/" : level[i] + "/") + c));
            }

            level = next;
        }

        return nodes;
    }

    private static bool IsSystem(string path) => path == "/zookeeper" || path.StartsWith("/zookeeper/", StringComparison.Ordinal);

    /// <summary>
    /// Reads every running member and checks that all hold the same znodes with the same data and
    /// Stat, and that each acknowledged path is there with its path as data.
    /// </summary>
    /// <param name="ensemble">The ensemble.</param>
    /// <param name="acknowledged">Paths whose create was acknowledged.</param>
    /// <param name="cancellationToken">The test's token.</param>
    /// <returns>The number of znodes each member holds.</returns>
    public static async Task<int> AssertIdenticalAsync(ZooKeeperEnsemble ensemble, IReadOnlyCollection<string> acknowledged, CancellationToken cancellationToken)
    {
        var members = ensemble.Members.Where(m => m.IsRunning).ToList();
        Assert.Equal(ensemble.Members.Count, members.Count);
        var trees = new List<SortedDictionary<string, string>>();
        foreach (var member in members)
        {
            trees.Add(await ReadAsync(member, cancellationToken));
        }

        for (var i = 0; i < members.Count; i++)
        {
            var missing = acknowledged.Where(p => !trees[i].ContainsKey(p)).Take(5).ToList();
            Assert.True(missing.Count == 0, $"server.{members[i].Id} lacks acknowledged writes, e.g. {string.Join(", ", missing)}");
            var wrong = acknowledged.Where(p => !trees[i][p].StartsWith(Convert.ToHexString(Encoding.UTF8.GetBytes(p)) + " ", StringComparison.Ordinal)).Take(5).ToList();
            Assert.True(wrong.Count == 0, $"server.{members[i].Id} holds other data at {string.Join(", ", wrong)}");
        }

        for (var i = 1; i < members.Count; i++)
        {
            var differences = trees[0].Keys.Union(trees[i].Keys)
                .Where(p => !trees[0].TryGetValue(p, out var a) || !trees[i].TryGetValue(p, out var b) || a != b)
                .Take(5)
                .Select(p => $"{p}: server.{members[0].Id} {trees[0].GetValueOrDefault(p, "absent")} / server.{members[i].Id} {trees[i].GetValueOrDefault(p, "absent")}")
                .ToList();
            Assert.True(differences.Count == 0, $"server.{members[0].Id} and server.{members[i].Id} differ ({trees[0].Count} and {trees[i].Count} znodes):\n{string.Join('\n', differences)}");
        }

        return trees[0].Count;
    }
}
