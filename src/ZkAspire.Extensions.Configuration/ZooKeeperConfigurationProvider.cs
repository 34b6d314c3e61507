// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Client;
using ZkAspire.Extensions.Configuration.Internal;
using ZkAspire.Protocol;

namespace ZkAspire.Extensions.Configuration;

/// <summary>
/// The configuration provider of a <see cref="ZooKeeperConfigurationSource"/>: loads a znode
/// subtree, keeps it current with a persistent recursive watch (or one-time watches where the
/// server has no addWatch), and fires the reload token once per batch of changes that changed a value.
/// </summary>
/// <remarks>
/// <para>
/// <b>Watching.</b> The watch (addWatch PERSISTENT_RECURSIVE, ZooKeeper 3.6 and later) is added
/// before the subtree is read, so no change falls between the read and the watch. Events mark
/// nodes dirty; after <see cref="ZooKeeperConfigurationSource.ReloadDelay"/> one worker reads every
/// dirty node in one multiRead and applies them together. Persistent watches get no catch-up events
/// after a reconnect (ZooKeeper programmer's guide, "Persistent, Recursive Watches"), so the
/// subtree is read again after every reconnect; after a session expiry the watch is gone with the
/// session and is added again first.
/// </para>
/// <para>
/// <b>One-time watches.</b> Servers before 3.6 answer addWatch with Unimplemented (and close the
/// connection, as for any unknown opcode). In <see cref="ZooKeeperConfigurationWatchMode.OneTime"/>
/// mode, which <see cref="ZooKeeperConfigurationWatchMode.Auto"/> falls back to then, every node is
/// read with getData and getChildren leaving a data and a child watch; each event marks its node
/// dirty and the batch's read sets the watches again, so nothing changes unseen between an event
/// and the next watch (the programmer's guide's "read and set a watch" pattern). New children found
/// by that read are read with their subtrees; nodes that are gone leave with theirs. The client
/// re-registers one-time watches on a reconnect (setWatches), and the subtree is read again anyway.
/// </para>
/// <para>
/// <b>Never backwards.</b> A node's value is replaced only by a read whose Stat is at least as new
/// (mzxid) as the one applied, or by a re-created node (a larger czxid). A full read starts with
/// <c>sync</c> (the programmer's guide's remedy for reading what another server has committed) and
/// is discarded if its newest zxid is older than what was already applied: a new session may land
/// on a lagging server (the stale-read-after-expiry reports of Helix #1118 and etcd #15271's
/// "watch travelling back in time" are the failure this avoids).
/// </para>
/// <para>
/// <b>Outages.</b> While disconnected nothing changes: the last good values stay (Winton #73).
/// Failed reads are retried after the next reconnect, or after a back-off.
/// </para>
/// </remarks>
public sealed partial class ZooKeeperConfigurationProvider : ConfigurationProvider, IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly ZooKeeperConfigurationSource _source;
    private readonly ZooKeeperClient _client;
    private readonly bool _ownsClient;
    private readonly string _root;
    private readonly string? _rootParent;
    private readonly ILogger _logger;
    private readonly NodeMapper _mapper;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Action<WatchedEvent> _watcher;
    private Dictionary<string, NodeEntry> _nodes = new(StringComparer.Ordinal);
    private long _highWater;
    private bool _resyncNeeded;
    private bool _rewatchNeeded;
    private bool _watchAdded;
    private int _watchMode;
    private Task? _worker;
    private volatile bool _loading;
    private int _disposed;

    internal ZooKeeperConfigurationProvider(ZooKeeperConfigurationSource source, ZooKeeperClient client, bool ownsClient)
    {
        _source = source;
        _client = client;
        _ownsClient = ownsClient;
        _root = source.RootPath.Length > 1 ? source.RootPath.TrimEnd('/') : source.RootPath;
        _rootParent = _root == PathUtils.Root ? null : PathUtils.GetParent(_root);
        _logger = source.Logger ?? NullLogger.Instance;
        _mapper = new NodeMapper(_root, source.JsonNodeSuffix);
        _watcher = OnWatchEvent;
        _watchMode = (int)source.WatchMode;
    }

    /// <summary>Gets the root of the subtree.</summary>
    public string RootPath => _root;

    /// <summary>Gets whether the provider created its client (and closes it on dispose) rather than borrowing one.</summary>
    public bool OwnsClient => _ownsClient;

    /// <summary>
    /// Gets how the subtree is watched: <see cref="ZooKeeperConfigurationWatchMode.PersistentRecursive"/>
    /// or <see cref="ZooKeeperConfigurationWatchMode.OneTime"/>; <see cref="ZooKeeperConfigurationWatchMode.Auto"/>
    /// until the server has answered the first addWatch.
    /// </summary>
    public ZooKeeperConfigurationWatchMode WatchMode => (ZooKeeperConfigurationWatchMode)Volatile.Read(ref _watchMode);

    /// <summary>Gets whether the provider has been disposed (with its configuration).</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Gets the largest zxid applied so far; reads older than it are never applied.</summary>
    public long LastAppliedZxid => Interlocked.Read(ref _highWater);

    /// <summary>
    /// Loads the subtree. The first call connects, adds the watch and reads, within
    /// <see cref="ZooKeeperConfigurationSource.StartupTimeout"/>; later calls
    /// (<c>IConfigurationRoot.Reload()</c>) read the subtree again and keep the last good values
    /// if that fails.
    /// </summary>
    /// <exception cref="InvalidOperationException">The root does not exist, or ZooKeeper was not reached in time, and the source is not optional.</exception>
    /// <exception cref="InvalidDataException">A JSON node holds invalid JSON.</exception>
#pragma warning disable VSTHRD002 // IConfigurationProvider.Load is synchronous; the client never needs the caller's thread.
    public override void Load()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_worker is null)
        {
            try
            {
                Task.Run(LoadFirstAsync).GetAwaiter().GetResult();
            }
            catch
            {
                // Build() fails: nobody will dispose this provider, so release the client now.
                Dispose();
                throw;
            }

            _worker = Task.Run(RunAsync);
            return;
        }

        using var timeout = new CancellationTokenSource(_source.StartupTimeout);
        try
        {
            Task.Run(() => SerializedAsync(() => ResyncAsync(fireReload: false, timeout.Token), timeout.Token)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is KeeperException or OperationCanceledException or TimeoutException)
        {
            Log.ReloadFailed(_logger, _root, e);
        }
    }
#pragma warning restore VSTHRD002

    /// <summary>Stops watching; closes the client when the provider owns it.</summary>
#pragma warning disable VSTHRD002 // IDisposable is synchronous: IConfigurationRoot disposes its providers so.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _client.ConnectionStateChanged -= OnConnectionStateChanged;
        try
        {
            _worker?.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        if (_ownsClient)
        {
            Task.Run(() => _client.DisposeAsync().AsTask()).GetAwaiter().GetResult();
        }
        else if (WatchMode == ZooKeeperConfigurationWatchMode.OneTime)
        {
            // A borrowed client lives on: take our watcher off it.
            Task.Run(RemoveOneTimeWatchersAsync).Wait(_source.StartupTimeout);
        }
        else if (_watchAdded && !_client.IsClosed)
        {
            // A borrowed client lives on: take our watcher off it, and the server's persistent
            // watch with it unless another watcher of the client still uses it; otherwise the
            // server would send every change under the root to that client until its session ends.
            try
            {
                Task.Run(() => _client.RemovePersistentWatchAsync(_root, AddWatchMode.PersistentRecursive, _watcher))
                    .Wait(_source.StartupTimeout);
            }
            catch (AggregateException e) when (e.InnerException is ObjectDisposedException)
            {
            }
        }

        _stopping.Dispose();
        _signal.Dispose();
        _serial.Dispose();
    }
#pragma warning restore VSTHRD002

    /// <inheritdoc/>
    public override string ToString() => $"{nameof(ZooKeeperConfigurationProvider)} for '{_root}' ({(_source.Optional ? "Optional" : "Required")})";

    private async Task LoadFirstAsync()
    {
        using var activity = ZooKeeperConfigurationTelemetry.ActivitySource.StartActivity(ZooKeeperConfigurationTelemetry.LoadActivityName);
        activity?.SetTag(ZooKeeperConfigurationTelemetry.RootAttribute, _root);
        _loading = true;
        _client.ConnectionStateChanged += OnConnectionStateChanged;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_source.StartupTimeout);
        try
        {
            if (!await _client.WaitUntilConnectedAsync(_source.StartupTimeout, timeout.Token).ConfigureAwait(false))
            {
                throw new TimeoutException("not connected");
            }

            await AddWatchAsync(timeout.Token).ConfigureAwait(false);
            await ResyncAsync(fireReload: false, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or ConnectionLossException or SessionExpiredException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            var message = $"The ZooKeeper configuration under '{_root}' could not be loaded within {_source.StartupTimeout.TotalSeconds:0.###} s (servers {_client.ConnectionString}): {e.Message}";
            if (!_source.Optional)
            {
                throw new InvalidOperationException(message, e);
            }

            Log.StartedWithout(_logger, message);
            lock (_gate)
            {
                _rewatchNeeded = !_watchAdded;
                _resyncNeeded = true;
            }

            // The worker picks this up on the first connection.
            return;
        }
        finally
        {
            _loading = false;
        }

        if (!_source.Optional && !_rootSeen)
        {
            throw new InvalidOperationException(
                $"The ZooKeeper configuration root '{_root}' does not exist (servers {_client.ConnectionString}); create it, or make the source optional.");
        }
    }
}
