// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Atomic;

/// <summary>
/// A value all participants share, with a local copy kept by a watch (Curator's <c>SharedValue</c>).
/// Changes are compare-and-set on the node's version, so a writer that read an old value fails
/// and reads again.
/// </summary>
public sealed class SharedValue : IAsyncDisposable
{
    private readonly ZooKeeperClient _client;
    private readonly byte[] _seed;
    private readonly SerialWorker _worker;
    private readonly SerialWorker _events;
    private readonly Action<WatchedEvent> _watcher;
    private readonly Lock _gate = new();
    private VersionedValue<byte[]> _current;
    private int _state;

    /// <summary>Creates a shared value; call <see cref="StartAsync"/> before use.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The value's node.</param>
    /// <param name="seedValue">The value the node is created with when it does not exist.</param>
    /// <param name="logger">Where failed background reads are logged.</param>
    public SharedValue(ZooKeeperClient client, string path, byte[] seedValue, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(seedValue);
        _client = client;
        Path = RecipePaths.Validate(path, nameof(path));
        _seed = [.. seedValue];
        _current = new VersionedValue<byte[]>(-1, -1, [.. seedValue]);
        var log = logger ?? NullLogger.Instance;
        _worker = new SerialWorker(e => log.LogWarning(e, "Reading the shared value {Path} failed; it is read again on reconnect.", path));
        _events = new SerialWorker(e => log.LogError(e, "A listener of the shared value {Path} failed.", path));
        _watcher = OnWatchEvent;
    }

    /// <summary>Occurs when the value changed (after <see cref="Value"/> has), one call at a time.</summary>
    public event EventHandler<VersionedValue<byte[]>>? ValueChanged;

    /// <summary>Gets the value's node.</summary>
    public string Path { get; }

    /// <summary>Gets a copy of the value as last read.</summary>
    public byte[] Value => [.. VersionedValue.Value];

    /// <summary>Gets the value as last read, with its version (for <see cref="TrySetValueAsync"/>).</summary>
    public VersionedValue<byte[]> VersionedValue
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Creates the node with the seed when missing, and reads the value with a watch.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the value was read.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The shared value can be started only once.");
        }

        _client.ConnectionStateChanged += OnConnectionStateChanged;
        try
        {
            await _client.CreateAsync(Path, _seed, new CreateOptions { Parents = ParentCreation.Container }, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
        }

        await ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the value whatever it is now.</summary>
    /// <param name="value">The new value.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when written.</returns>
    public async Task SetValueAsync(byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfNotStarted();
        var stat = await _client.SetDataAsync(Path, value, -1, cancellationToken).ConfigureAwait(false);
        Update(new VersionedValue<byte[]>(stat.Mzxid, stat.Version, [.. value]));
    }

    /// <summary>
    /// Sets the value only if it is still the one read as <paramref name="previous"/> (same version);
    /// otherwise reads the current value (Curator's <c>trySetValue</c>).
    /// </summary>
    /// <param name="previous">The value this change is based on.</param>
    /// <param name="value">The new value.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if written; <see langword="false"/> if someone changed the value first.</returns>
    public async Task<bool> TrySetValueAsync(VersionedValue<byte[]> previous, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfNotStarted();
        var current = VersionedValue;
        if (previous.Zxid != current.Zxid || !previous.Value.AsSpan().SequenceEqual(current.Value))
        {
            return false;
        }

        if (previous.Version < 0)
        {
            throw new ArgumentException("The value was never read from the server.", nameof(previous));
        }

        try
        {
            var stat = await _client.SetDataAsync(Path, value, previous.Version, cancellationToken).ConfigureAwait(false);
            Update(new VersionedValue<byte[]>(stat.Mzxid, stat.Version, [.. value]));
            return true;
        }
        catch (BadVersionException)
        {
            await ReadAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Stops following the value.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _client.ConnectionStateChanged -= OnConnectionStateChanged;
        await _worker.DisposeAsync().ConfigureAwait(false);
        await _events.DisposeAsync().ConfigureAwait(false);
        await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, Path, _watcher, WatcherType.Data).ConfigureAwait(false);
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var node = await _client.GetDataAsync(Path, _watcher, cancellationToken).ConfigureAwait(false);
        Update(new VersionedValue<byte[]>(node.Stat.Mzxid, node.Stat.Version, node.Data ?? []));
    }

    /// <summary>Keeps the newest value: a read older than a write already seen is dropped (Curator's <c>updateValue</c>).</summary>
    private void Update(VersionedValue<byte[]> value)
    {
        lock (_gate)
        {
            if (_current.Zxid >= value.Zxid)
            {
                return;
            }

            _current = value;
        }

        _events.Post(() => ValueChanged?.Invoke(this, value));
    }

    private void OnWatchEvent(WatchedEvent watchedEvent)
    {
        if (watchedEvent.Type != EventType.None && Volatile.Read(ref _state) == 1)
        {
            _worker.Post(() => ReadAsync(CancellationToken.None));
        }
    }

    private void OnConnectionStateChanged(object? sender, ConnectionStateChange change)
    {
        if (change.State is ConnectionState.Reconnected)
        {
            _worker.Post(() => ReadAsync(CancellationToken.None));
        }
    }

    private void ThrowIfNotStarted()
    {
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException("Start the shared value first (and do not use it after disposing it).");
        }
    }
}
