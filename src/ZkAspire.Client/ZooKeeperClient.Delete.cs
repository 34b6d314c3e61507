// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>Deletes: plain, with children, guaranteed.</summary>
public sealed partial class ZooKeeperClient
{
    /// <summary>How many times a delete with children starts over when children keep appearing.</summary>
    private const int MaxDeleteRounds = 10;

    /// <summary>How many sibling subtrees are deleted at once (their deletes are pipelined).</summary>
    private const int DeleteFanOut = 64;

    /// <summary>Deletes a node (delete).</summary>
    /// <param name="path">The node.</param>
    /// <param name="version">The expected version, or −1 for any.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the node is deleted.</returns>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="BadVersionException">The version does not match.</exception>
    /// <exception cref="NotEmptyException">The node has children.</exception>
    /// <exception cref="BadArgumentsException">The node is <c>/</c> or a reserved node under <c>/zookeeper</c>.</exception>
    public Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default) =>
        DeleteAsync(path, new DeleteOptions { Version = version }, cancellationToken);

    /// <summary>Deletes a node, optionally with its children and guaranteed (Curator's delete builder).</summary>
    /// <param name="path">The node.</param>
    /// <param name="options">Version, children, guarantee.</param>
    /// <param name="cancellationToken">Stops waiting (a guaranteed delete still goes on in the background).</param>
    /// <returns>A task that completes when the node is deleted.</returns>
    public async Task DeleteAsync(string path, DeleteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfDisposed();
        ToServerPath(path);
        try
        {
            await DeleteCoreAsync(path, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (options.Guaranteed && IsConnectionProblem(e))
        {
            // Curator: the caller still sees the failure, and the delete goes on in the background.
            _guaranteedDeletes.Add(path, options with { Guaranteed = false }, e);
            throw;
        }
    }

    /// <summary>Whether a failure leaves a guaranteed delete to the background.</summary>
    internal static bool IsConnectionProblem(Exception e) =>
        e is ConnectionLossException or OperationTimeoutException or SessionExpiredException or SessionMovedException or OperationCanceledException;

    /// <summary>A delete under the retry policy, with children if asked.</summary>
    internal async Task DeleteCoreAsync(string path, DeleteOptions options, CancellationToken cancellationToken)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                await DeleteWithRetryAsync(path, options.Version, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NotEmptyException) when (options.DeleteChildren && round < MaxDeleteRounds)
            {
                // As Curator: try the delete first, clear the children when it says NotEmpty.
                await DeleteDescendantsAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task DeleteWithRetryAsync(string path, int version, CancellationToken cancellationToken)
    {
        var serverPath = ToServerPath(path);
        return ExecuteAsync(
            "delete",
            path,
            idempotent: false,
            (path, serverPath, version),
            static (c, s) => c.CreatePacket(OpCode.Delete, new DeleteRequest(s.serverPath, s.version), s.path),
            static (_, _, packet, _) =>
            {
                ThrowIfError(packet);
                return true;
            },
            cancellationToken);
    }

    private Task DeleteOnceAsync(string path, int version, CancellationToken cancellationToken)
    {
        var serverPath = ToServerPath(path);
        return SendAsync(
            "delete",
            path,
            (path, serverPath, version),
            static (c, s) => c.CreatePacket(OpCode.Delete, new DeleteRequest(s.serverPath, s.version), s.path),
            static (_, _, packet, _) =>
            {
                ThrowIfError(packet);
                return true;
            },
            cancellationToken).AsTask();
    }

    /// <summary>
    /// Deletes every descendant of a node, deepest first (Curator's <c>ZKPaths.deleteChildren</c>).
    /// Nodes that vanish meanwhile are ignored; a node that gains children meanwhile is cleared
    /// again, a bounded number of rounds.
    /// </summary>
    private async Task DeleteDescendantsAsync(string path, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> children;
        try
        {
            children = await GetChildrenAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return;
        }

        for (var start = 0; start < children.Count; start += DeleteFanOut)
        {
            var batch = new List<Task>(DeleteFanOut);
            for (var i = start; i < Math.Min(children.Count, start + DeleteFanOut); i++)
            {
                batch.Add(DeleteSubtreeAsync(PathUtils.Combine(path, children[i]), cancellationToken));
            }

            await Task.WhenAll(batch).ConfigureAwait(false);
        }
    }

    private async Task DeleteSubtreeAsync(string path, CancellationToken cancellationToken)
    {
        for (var round = 0; ; round++)
        {
            await DeleteDescendantsAsync(path, cancellationToken).ConfigureAwait(false);
            try
            {
                await DeleteWithRetryAsync(path, -1, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NoNodeException)
            {
                return;
            }
            catch (NotEmptyException) when (round < MaxDeleteRounds)
            {
            }
        }
    }
}
