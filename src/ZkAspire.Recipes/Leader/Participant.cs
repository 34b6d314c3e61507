// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Leader;

/// <summary>A participant of a leader election (Curator's <c>Participant</c>): the id stored in its node, and whether it leads.</summary>
/// <param name="Id">The participant's id (its node's data, UTF-8).</param>
/// <param name="IsLeader">Whether it is the leader: its node is the first.</param>
public sealed record Participant(string Id, bool IsLeader)
{
    /// <summary>Reads the participants from their nodes, in order, the first marked as leader (Curator's <c>LeaderSelector.getParticipants</c>).</summary>
    internal static async Task<IReadOnlyList<Participant>> ReadAsync(ZooKeeperClient client, string basePath, IEnumerable<SequentialNode> ordered, CancellationToken cancellationToken)
    {
        var participants = new List<Participant>();
        foreach (var node in ordered)
        {
            try
            {
                var data = await client.GetDataAsync(PathUtils.Combine(basePath, node.Name), cancellationToken).ConfigureAwait(false);
                participants.Add(new Participant(data.Data is null ? string.Empty : Encoding.UTF8.GetString(data.Data), participants.Count == 0));
            }
            catch (NoNodeException)
            {
                // Gone meanwhile: not a participant any more.
            }
        }

        return participants;
    }
}
