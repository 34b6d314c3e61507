// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Locks;

/// <summary>
/// A reentrant read-write lock shared by processes (Curator's <c>InterProcessReadWriteLock</c>, with
/// its node layout: <c>_c_{guid}-__READ__0000000001</c> and <c>_c_{guid}-__WRIT__0000000002</c>
/// under one path). Many readers or one writer hold it; a writer waits for every node before it,
/// a reader only for the writers before it (ZooKeeper recipes, "Shared Locks").
/// </summary>
/// <remarks>
/// <para>
/// Both locks are reentrant per async flow, like <see cref="InterProcessMutex"/>. A flow that
/// holds the write lock may take the read lock too, and then release the write lock: that is a
/// downgrade (also <see cref="DowngradeAsync"/>). The read node takes the write node's sequence
/// number (Curator 5.5's fix, CURATOR-621), so writers that queued behind the write lock still
/// wait for the reader. Upgrading — taking the write lock while holding only the read lock — is
/// refused, since it would wait for itself.
/// </para>
/// <para>
/// Each waiter watches one node: a writer its predecessor, a reader the nearest writer before it
/// (Curator's readers watch the first writer; either way they exclude each other).
/// </para>
/// </remarks>
public sealed class InterProcessReadWriteLock
{
    /// <summary>Curator's name of read nodes; both names have the same length on purpose.</summary>
    internal const string ReadLockName = "__READ__";

    /// <summary>Curator's name of write nodes (<c>__WRIT__</c>, not <c>__WRITE__</c>).</summary>
    internal const string WriteLockName = "__WRIT__";

    private readonly ZooKeeperClient _client;
    private readonly byte[]? _nodeData;

    /// <summary>Creates a read-write lock.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The lock's path.</param>
    /// <param name="nodeData">The data of the lock nodes (Curator's <c>lockData</c>), or <see langword="null"/> for the client's default data.</param>
    /// <param name="options">The error policy and clock.</param>
    public InterProcessReadWriteLock(ZooKeeperClient client, string path, byte[]? nodeData = null, RecipeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        RecipePaths.Validate(path, nameof(path));
        options ??= RecipeOptions.Default;
        _client = client;
        _nodeData = nodeData is null ? null : [.. nodeData];
        Path = path;
        WriteLock = new InterProcessMutex(
            new LockEngine(client, path, WriteLockName, new ReadWriteDriver(forRead: false), 1, options.TimeProvider), options, _nodeData, this, isReadLock: false);
        ReadLock = new InterProcessMutex(
            new LockEngine(client, path, ReadLockName, new ReadWriteDriver(forRead: true), int.MaxValue, options.TimeProvider), options, _nodeData, this, isReadLock: true);
    }

    /// <summary>Gets the lock's path.</summary>
    public string Path { get; }

    /// <summary>Gets the shared (read) lock.</summary>
    public InterProcessMutex ReadLock { get; }

    /// <summary>Gets the exclusive (write) lock.</summary>
    public InterProcessMutex WriteLock { get; }

    /// <summary>
    /// Turns a held write lock into a read lock without letting a writer in between: takes the read
    /// lock in the write node's place, then releases <paramref name="writeHandle"/>.
    /// </summary>
    /// <param name="writeHandle">A handle of <see cref="WriteLock"/>, not yet released.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The read handle.</returns>
    /// <exception cref="ArgumentException">The handle is not a held handle of this lock's write lock.</exception>
    public async Task<ILockHandle> DowngradeAsync(ILockHandle writeHandle, CancellationToken cancellationToken = default)
    {
        if (writeHandle is not LockHandle { IsReleased: false, Hold: { Source: var source, Owner: { } owner } writeHold } || !ReferenceEquals(source, WriteLock))
        {
            throw new ArgumentException("Not a held handle of this lock's write lock.", nameof(writeHandle));
        }

        var read = ReadLock.TryReenter(owner)
            ?? ReadLock.Hold(await CreateReadNodeAtAsync(writeHold, cancellationToken).ConfigureAwait(false), owner);
        await writeHandle.DisposeAsync().ConfigureAwait(false);
        return read;
    }

    /// <summary>
    /// Checks an acquire by a flow against what it holds of the other lock: returns the write hold
    /// when a writer asks for the read lock, and refuses an upgrade.
    /// </summary>
    internal LockHold? CheckReentry(bool forRead, LockOwner owner)
    {
        if (forRead)
        {
            return WriteLock.HoldOf(owner);
        }

        if (ReadLock.HoldOf(owner) is not null)
        {
            throw new InvalidOperationException(
                "This flow holds the read lock; taking the write lock would wait for itself. Release the read lock first (upgrades are not supported, as in Curator).");
        }

        return null;
    }

    /// <summary>Creates a read node with the write node's sequence number: ephemeral, protected, not sequential.</summary>
    internal async Task<AcquiredNode> CreateReadNodeAtAsync(LockHold writeHold, CancellationToken cancellationToken)
    {
        var path = PathUtils.Combine(Path, ReadLockName + PathUtils.FormatSequence(writeHold.Node.Sequence));
        var options = CreateOptions.Ephemeral with { Parents = ParentCreation.Container, Protected = true };
        // Not cancellable, as the lock engine's create: an abandoned create could leave a read node behind.
        var created = _nodeData is null
            ? await _client.CreateWithStatAsync(path, options, CancellationToken.None).ConfigureAwait(false)
            : await _client.CreateWithStatAsync(path, _nodeData, options, CancellationToken.None).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
        {
            await _client.DeleteGuaranteedAsync(created.Path).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return new AcquiredNode(created.Path, writeHold.Node.Sequence, created.Stat);
    }

    /// <summary>
    /// Curator's <c>SortingLockInternalsDriver</c> for both locks: read and write nodes are ordered
    /// together by their sequence numbers.
    /// </summary>
    private sealed class ReadWriteDriver(bool forRead) : LockDriver
    {
        public override bool TryParse(string childName, out SequentialNode node) =>
            SequentialNode.TryParse(childName, ReadLockName, out node) || SequentialNode.TryParse(childName, WriteLockName, out node);

        public override LockPredicate GetsTheLock(IReadOnlyList<SequentialNode> ordered, int ourIndex, int maxLeases)
        {
            if (!forRead)
            {
                // A writer holds the lock when no node is before it, and watches its predecessor.
                return ourIndex == 0 ? new LockPredicate(true, null) : new LockPredicate(false, ordered[ourIndex - 1].Name);
            }

            // A reader holds it when no writer is before it, and watches the nearest writer before it.
            for (var i = ourIndex - 1; i >= 0; i--)
            {
                if (ordered[i].Name.Contains(WriteLockName, StringComparison.Ordinal))
                {
                    return new LockPredicate(false, ordered[i].Name);
                }
            }

            return new LockPredicate(true, null);
        }
    }
}
