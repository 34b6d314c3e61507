// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Barriers;

/// <summary>
/// A double barrier (Curator's <c>DistributedDoubleBarrier</c>, ZooKeeper recipes "Double
/// Barriers", with Curator's layout): members enter, and enter returns once
/// <see cref="MemberCount"/> of them have; they leave, and leave returns once all have. Each
/// member is an ephemeral node <c>{path}/{uuid}</c>; the last to enter creates <c>{path}/ready</c>.
/// </summary>
/// <remarks>
/// Entering, members watch only the ready node. Leaving, as in the ZooKeeper recipe, the member
/// with the lowest node watches the highest and every other member deletes its node and watches
/// the lowest, so each departure wakes few members rather than all.
/// </remarks>
public sealed class DistributedDoubleBarrier
{
    private const string ReadyNode = "ready";

    private readonly ZooKeeperClient _client;
    private readonly TimeProvider _time;
    private readonly string _ourName = Guid.NewGuid().ToString();
    private readonly string _ourPath;
    private readonly string _readyPath;

    /// <summary>Creates a member of a double barrier.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The barrier's path.</param>
    /// <param name="memberCount">How many members must enter before any may go on.</param>
    /// <param name="timeProvider">The clock of the timeouts.</param>
    public DistributedDoubleBarrier(ZooKeeperClient client, string path, int memberCount, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThan(memberCount, 1);
        _client = client;
        _time = timeProvider ?? TimeProvider.System;
        Path = RecipePaths.Validate(path, nameof(path));
        MemberCount = memberCount;
        _ourPath = PathUtils.Combine(path, _ourName);
        _readyPath = PathUtils.Combine(path, ReadyNode);
    }

    /// <summary>Gets the barrier's path.</summary>
    public string Path { get; }

    /// <summary>Gets how many members must enter.</summary>
    public int MemberCount { get; }

    /// <summary>Enters the barrier and waits until <see cref="MemberCount"/> members have.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for as long as it takes.</param>
    /// <param name="cancellationToken">Stops waiting (the member stays entered).</param>
    /// <returns><see langword="true"/> when enough members entered; <see langword="false"/> when the time ran out.</returns>
    public async Task<bool> EnterAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.Start(timeout, _time);
        var signal = new WatchSignal();
        var readyExists = await _client.ExistsAsync(_readyPath, signal.Callback, cancellationToken).ConfigureAwait(false) is not null;
        try
        {
            await _client.CreateAsync(_ourPath, [], CreateOptions.Ephemeral with { Parents = ParentCreation.Container }, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
            // Entering again after a lost reply.
        }

        while (!readyExists)
        {
            var members = (await _client.GetChildrenAsync(Path, cancellationToken).ConfigureAwait(false)).Count(c => c != ReadyNode);
            if (members >= MemberCount)
            {
                try
                {
                    await _client.CreateAsync(_readyPath, [], cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (NodeExistsException)
                {
                }

                break;
            }

            if (!await deadline.WaitAsync(signal.Fired, cancellationToken).ConfigureAwait(false))
            {
                await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, _readyPath, signal.Callback, WatcherType.Data).ConfigureAwait(false);
                return false;
            }

            signal = new WatchSignal();
            readyExists = await _client.ExistsAsync(_readyPath, signal.Callback, cancellationToken).ConfigureAwait(false) is not null;
        }

        return true;
    }

    /// <summary>Enters the barrier and waits as long as it takes.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when enough members entered.</returns>
    public Task EnterAsync(CancellationToken cancellationToken = default) => EnterAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Leaves the barrier and waits until every member has left.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for as long as it takes.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> when all left; <see langword="false"/> when the time ran out.</returns>
    /// <exception cref="InvalidOperationException">This member's node vanished (its session ended) before it left.</exception>
    public async Task<bool> LeaveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.Start(timeout, _time);
        var ourNodeShouldExist = true;
        try
        {
            while (true)
            {
                List<string> members;
                try
                {
                    members = [.. (await _client.GetChildrenAsync(Path, cancellationToken).ConfigureAwait(false)).Where(c => c != ReadyNode).Order(StringComparer.Ordinal)];
                }
                catch (NoNodeException)
                {
                    members = [];
                }

                if (members.Count == 0)
                {
                    return true;
                }

                var ourIndex = members.IndexOf(_ourName);
                if (ourIndex < 0 && ourNodeShouldExist)
                {
                    throw new InvalidOperationException($"The member node {_ourPath} is gone: the session ended while in the barrier.");
                }

                if (members.Count == 1 && ourIndex == 0)
                {
                    await DeleteOursAsync().ConfigureAwait(false);
                    return true;
                }

                // The lowest member waits for the highest; the others leave and wait for the lowest.
                string watched;
                if (ourIndex == 0)
                {
                    watched = members[^1];
                }
                else
                {
                    if (ourNodeShouldExist)
                    {
                        await DeleteOursAsync().ConfigureAwait(false);
                        ourNodeShouldExist = false;
                    }

                    watched = members[0];
                }

                var signal = new WatchSignal();
                var watchedPath = PathUtils.Combine(Path, watched);
                if (await _client.ExistsAsync(watchedPath, signal.Callback, cancellationToken).ConfigureAwait(false) is null)
                {
                    await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, watchedPath, signal.Callback, WatcherType.Data).ConfigureAwait(false);
                    continue;
                }

                if (!await deadline.WaitAsync(signal.Fired, cancellationToken).ConfigureAwait(false))
                {
                    await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, watchedPath, signal.Callback, WatcherType.Data).ConfigureAwait(false);
                    return false;
                }
            }
        }
        finally
        {
            try
            {
                await _client.DeleteAsync(_readyPath, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NoNodeException || ClientExtensions.IsConnectionProblem(e))
            {
            }
        }
    }

    /// <summary>Leaves the barrier and waits as long as it takes.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when all left.</returns>
    public Task LeaveAsync(CancellationToken cancellationToken = default) => LeaveAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    private async Task DeleteOursAsync()
    {
        try
        {
            await _client.DeleteAsync(_ourPath).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
        }
    }
}
