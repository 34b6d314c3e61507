// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Locks;

/// <summary>
/// A reentrant mutex shared by processes (Curator's <c>InterProcessMutex</c>, with its node layout:
/// <c>{path}/_c_{guid}-lock-0000000001</c>, protected ephemeral-sequential nodes under a
/// container), so .NET and Java processes using Curator on the same path exclude each other.
/// </summary>
/// <remarks>
/// <para>
/// Reentrancy follows the async flow, as Curator's follows the thread: an acquire from a flow that
/// already holds the mutex succeeds at once and returns another handle; the lock node is deleted
/// when the last handle is disposed. Tasks started while the flow holds the mutex count as the same
/// owner. Different flows — and different processes — exclude each other; each waiter watches only
/// its predecessor.
/// </para>
/// <para>
/// The mutex is safe only as far as its holder notices loss: see <see cref="ILockHandle"/>.
/// </para>
/// </remarks>
public sealed class InterProcessMutex : IInterProcessLock
{
    private const string LockName = "lock-";

    private readonly LockEngine _engine;
    private readonly RecipeOptions _options;
    private readonly byte[]? _nodeData;
    private readonly InterProcessReadWriteLock? _readWrite;
    private readonly bool _isReadLock;
    private readonly Dictionary<LockOwner, LockHold> _holds = [];
    private readonly Lock _gate = new();

    /// <summary>Creates a mutex.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The lock's path (created as a container when needed).</param>
    /// <param name="options">The error policy and clock.</param>
    public InterProcessMutex(ZooKeeperClient client, string path, RecipeOptions? options = null)
        : this(NewEngine(client, path, options), options, nodeData: null, readWrite: null, isReadLock: false)
    {
    }

    internal InterProcessMutex(LockEngine engine, RecipeOptions? options, byte[]? nodeData, InterProcessReadWriteLock? readWrite, bool isReadLock)
    {
        _engine = engine;
        _options = options ?? RecipeOptions.Default;
        _nodeData = nodeData;
        _readWrite = readWrite;
        _isReadLock = isReadLock;
    }

    /// <inheritdoc/>
    public string Path => _engine.BasePath;

    /// <summary>Gets whether some flow of this process holds the mutex through this instance.</summary>
    public bool IsAcquiredInThisProcess
    {
        get
        {
            lock (_gate)
            {
                return _holds.Count > 0;
            }
        }
    }

    /// <summary>Gets whether the current async flow holds the mutex (Curator's <c>isOwnedByCurrentThread</c>).</summary>
    public bool IsOwnedByCurrentFlow => LockOwner.Current is { } owner && HoldOf(owner) is not null;

    internal LockEngine Engine => _engine;

    internal RecipeOptions Options => _options;

    /// <inheritdoc/>
    public Task<ILockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.Validate(timeout, nameof(timeout));

        // Not async: the owner must be attached to the caller's flow.
        var owner = LockOwner.ForCurrentFlow();
        return TryAcquireCoreAsync(owner, timeout, cancellationToken);
    }

    /// <summary>Lists the lock nodes, the holder first (Curator's <c>getParticipantNodes</c>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The nodes' paths, oldest first.</returns>
    public async Task<IReadOnlyList<string>> GetParticipantNodesAsync(CancellationToken cancellationToken = default)
    {
        var ordered = await _engine.GetOrderedChildrenAsync(cancellationToken).ConfigureAwait(false);
        return [.. ordered.Where(node => node.Name.Contains(_engine.LockName, StringComparison.Ordinal))
            .Select(node => Protocol.PathUtils.Combine(Path, node.Name))];
    }

    /// <summary>Gets the hold of an owner, if it holds the mutex.</summary>
    internal LockHold? HoldOf(LockOwner owner)
    {
        lock (_gate)
        {
            return _holds.TryGetValue(owner, out var hold) && !hold.IsReleased ? hold : null;
        }
    }

    /// <summary>Adds a handle to the owner's hold, if it has one.</summary>
    internal LockHandle? TryReenter(LockOwner owner)
    {
        lock (_gate)
        {
            return _holds.TryGetValue(owner, out var hold) && hold.TryAddReference() ? new LockHandle(hold) : null;
        }
    }

    /// <summary>Holds a node that won, for an owner.</summary>
    internal LockHandle Hold(AcquiredNode node, LockOwner owner)
    {
        var hold = LockHold.Start(_engine.Client, node, owner, this, _options, Released);
        lock (_gate)
        {
            _holds[owner] = hold;
        }

        owner.AddHold();
        return new LockHandle(hold);
    }

    private static LockEngine NewEngine(ZooKeeperClient client, string path, RecipeOptions? options)
    {
        ArgumentNullException.ThrowIfNull(client);
        RecipePaths.Validate(path, nameof(path));
        return new LockEngine(client, path, LockName, new StandardLockDriver(LockName), 1, (options ?? RecipeOptions.Default).TimeProvider);
    }

    private async Task<ILockHandle?> TryAcquireCoreAsync(LockOwner owner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var activity = RecipesInstrumentation.StartAcquire(Path, _readWrite is null ? "mutex" : _isReadLock ? "read" : "write");
        try
        {
            if (TryReenter(owner) is { } again)
            {
                RecipesInstrumentation.Acquired(activity, again, reentrant: true);
                return again;
            }

            var handle = await AcquireNodeAsync(owner, timeout, cancellationToken).ConfigureAwait(false);
            RecipesInstrumentation.Acquired(activity, handle);
            return handle;
        }
        catch (Exception e)
        {
            RecipesInstrumentation.Failed(activity, e);
            throw;
        }
    }

    private async Task<LockHandle?> AcquireNodeAsync(LockOwner owner, TimeSpan timeout, CancellationToken cancellationToken)
    {

        AcquiredNode? node;
        if (_readWrite is not null && _readWrite.CheckReentry(_isReadLock, owner) is { } writeHold)
        {
            // Curator: a holder of the write lock gets the read lock at once. Its read node takes the
            // write node's sequence number (CURATOR-621, Curator 5.5 and later), so that
            // releasing the write lock afterwards — a downgrade — leaves a read node in the write
            // node's place, ahead of every writer that queued meanwhile.
            node = await _readWrite.CreateReadNodeAtAsync(writeHold, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            node = await _engine.AttemptAsync(_nodeData, Deadline.Start(timeout, _options.TimeProvider), cancellationToken).ConfigureAwait(false);
        }

        return node is null ? null : Hold(node, owner);
    }

    private void Released(LockHold hold)
    {
        lock (_gate)
        {
            if (_holds.TryGetValue(hold.Owner!, out var current) && ReferenceEquals(current, hold))
            {
                _holds.Remove(hold.Owner!);
            }
        }

        hold.Owner!.RemoveHold();
    }
}
