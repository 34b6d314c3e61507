// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using ZkAspire.Client;
using ZkAspire.Extensions.ServiceDiscovery.Internal;
using ZkAspire.Recipes.Discovery;

namespace ZkAspire.Extensions.ServiceDiscovery;

/// <summary>
/// The membership over Curator's service discovery layout (<see cref="ServiceDiscovery{TPayload}"/>):
/// members are ephemeral nodes <c>{base path}/{service}/{instance id}</c> holding Curator's
/// instance JSON, so Java services using Curator's discovery see ours and the other way round.
/// </summary>
/// <remarks>
/// <para>
/// Registration follows the session: the node is ephemeral, so it goes when the process dies or
/// its session expires (the server deletes it one session timeout after the last heartbeat), and
/// the discovery registers it again on the new session (Curator's <c>ServiceDiscoveryImpl</c>
/// re-registers on RECONNECTED). A registration attempted while disconnected is made when the
/// connection comes back.
/// </para>
/// <para>
/// Each service read is watched from its first read on (a <see cref="ServiceCache{TPayload}"/>);
/// changes update the list, fire <see cref="MembersChanged"/> and the service's change token.
/// </para>
/// </remarks>
public sealed class ZooKeeperMembership : IZooKeeperMembership, IAsyncDisposable
{
    private readonly ServiceDiscovery<MemberPayload> _discovery;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<ServiceCache<MemberPayload>>> _watched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _signals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<ZooKeeperMember>> _members = new(StringComparer.Ordinal);
    private ServiceInstance<MemberPayload>? _selfInstance;
    private ZooKeeperMember? _self;
    private int _started;
    private int _disposed;

    /// <summary>Creates a membership.</summary>
    /// <param name="client">The client; registrations live as long as its session.</param>
    /// <param name="basePath">The parent of the services' nodes.</param>
    /// <param name="logger">Where failed registrations are logged.</param>
    public ZooKeeperMembership(ZooKeeperClient client, string basePath = ZooKeeperMembershipOptions.DefaultBasePath, ILogger<ZooKeeperMembership>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _discovery = new ServiceDiscovery<MemberPayload>(client, basePath, logger: _logger)
        {
            AroundReRegistration = ReRegisterTracedAsync,
        };
    }

    /// <inheritdoc/>
    public event EventHandler<ZooKeeperMembersChangedEventArgs>? MembersChanged;

    /// <summary>Gets the parent of the services' nodes.</summary>
    public string BasePath => _discovery.BasePath;

    /// <inheritdoc/>
    public ZooKeeperMember? Self => Volatile.Read(ref _self);

    /// <summary>Gets the client.</summary>
    internal ZooKeeperClient Client => _discovery.Client;

    /// <summary>
    /// Registers a member as an ephemeral node of this client's session, and keeps it registered
    /// across session loss until <see cref="UnregisterAsync"/>. Registering the same instance id
    /// again replaces it.
    /// </summary>
    /// <param name="member">The member.</param>
    /// <param name="cancellationToken">Stops waiting (the registration is kept and made on reconnect).</param>
    /// <returns>A task that completes when the node exists.</returns>
    /// <exception cref="ArgumentException">The service name or instance id is not a valid znode name.</exception>
    public async Task RegisterAsync(ZooKeeperMember member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        var instance = MemberMapping.ToInstance(member);
        lock (_gate)
        {
            // Kept before the create, so that an unregister deletes a node whose create is under way.
            _selfInstance = instance;
        }

        using var activity = StartActivity(ZooKeeperMembershipTelemetry.RegisterActivityName, member.ServiceName, member.InstanceId);
        try
        {
            await _discovery.RegisterServiceAsync(instance, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            RecordRegistration(activity, member.ServiceName, ZooKeeperMembershipTelemetry.OutcomeCanceled, null);
            throw;
        }
        catch (Exception ex)
        {
            RecordRegistration(activity, member.ServiceName, ZooKeeperMembershipTelemetry.OutcomeFailed, ex);
            throw;
        }

        RecordRegistration(activity, member.ServiceName, ZooKeeperMembershipTelemetry.OutcomeRegistered, null);
        lock (_gate)
        {
            if (ReferenceEquals(_selfInstance, instance))
            {
                _self = member;
            }
        }
    }

    /// <summary>Deletes this host's registration (idempotent).</summary>
    /// <param name="cancellationToken">Stops waiting (the delete goes on in the background).</param>
    /// <returns>A task that completes when the node is deleted or the client took the delete over.</returns>
    public async Task UnregisterAsync(CancellationToken cancellationToken = default)
    {
        ServiceInstance<MemberPayload>? instance;
        lock (_gate)
        {
            instance = _selfInstance;
            _selfInstance = null;
            _self = null;
        }

        if (instance is not null)
        {
            using var activity = StartActivity(ZooKeeperMembershipTelemetry.UnregisterActivityName, instance.Name, instance.Id);
            try
            {
                await _discovery.UnregisterServiceAsync(instance, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                activity?.SetTag("error.type", ex.GetType().FullName);
                throw;
            }
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ZooKeeperMember>> GetMembersAsync(string serviceName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await WatchAsync(serviceName).WaitAsync(cancellationToken).ConfigureAwait(false);
        return _members.TryGetValue(serviceName, out var members) ? members : [];
    }

    /// <inheritdoc/>
    public IChangeToken GetChangeToken(string serviceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        return new CancellationChangeToken(_signals.GetOrAdd(serviceName, static _ => new CancellationTokenSource()).Token);
    }

    /// <summary>Stops watching and deletes this host's registration.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        List<Task<ServiceCache<MemberPayload>>> caches;
        lock (_gate)
        {
            caches = [.. _watched.Values];
            _watched.Clear();
        }

        foreach (var cache in caches)
        {
            // A start still under way is waited for, so its cache is disposed too (a failed one disposed itself).
            await ((Task)cache).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cache.IsCompletedSuccessfully)
            {
                await (await cache.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
        }

        // Unregisters what is registered.
        await _discovery.DisposeAsync().ConfigureAwait(false);
    }

    private static Activity? StartActivity(string name, string serviceName, string instanceId)
    {
        var activity = ZooKeeperMembershipTelemetry.ActivitySource.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag(ZooKeeperMembershipTelemetry.ServiceNameAttribute, serviceName);
        activity?.SetTag(ZooKeeperMembershipTelemetry.InstanceIdAttribute, instanceId);
        return activity;
    }

    /// <summary>The span and count of a registration made again after a reconnect.</summary>
    private static async Task ReRegisterTracedAsync(ServiceInstance<MemberPayload> instance, bool newSession, Func<Task> reRegister)
    {
        // No parent: it follows a connection event, whatever activity flowed into the worker.
        Activity.Current = null;
        using var activity = StartActivity(ZooKeeperMembershipTelemetry.ReRegisterActivityName, instance.Name, instance.Id);
        activity?.SetTag(ZooKeeperMembershipTelemetry.NewSessionAttribute, newSession);
        var tags = new TagList
        {
            { ZooKeeperMembershipTelemetry.ServiceNameAttribute, instance.Name },
            { ZooKeeperMembershipTelemetry.NewSessionAttribute, newSession },
        };
        try
        {
            await reRegister().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            activity?.SetTag(ZooKeeperMembershipTelemetry.OutcomeAttribute, ZooKeeperMembershipTelemetry.OutcomeFailed);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag("error.type", ex.GetType().FullName);
            tags.Add(ZooKeeperMembershipTelemetry.OutcomeAttribute, ZooKeeperMembershipTelemetry.OutcomeFailed);
            tags.Add("error.type", ex.GetType().FullName);
            ZooKeeperMembershipTelemetry.ReRegistrations.Add(1, tags);
            throw;
        }

        activity?.SetTag(ZooKeeperMembershipTelemetry.OutcomeAttribute, ZooKeeperMembershipTelemetry.OutcomeRegistered);
        tags.Add(ZooKeeperMembershipTelemetry.OutcomeAttribute, ZooKeeperMembershipTelemetry.OutcomeRegistered);
        ZooKeeperMembershipTelemetry.ReRegistrations.Add(1, tags);
    }

    private static void RecordRegistration(Activity? activity, string serviceName, string outcome, Exception? error)
    {
        activity?.SetTag(ZooKeeperMembershipTelemetry.OutcomeAttribute, outcome);
        var tags = new TagList
        {
            { ZooKeeperMembershipTelemetry.ServiceNameAttribute, serviceName },
            { ZooKeeperMembershipTelemetry.OutcomeAttribute, outcome },
        };
        if (error is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            activity?.SetTag("error.type", error.GetType().FullName);
            tags.Add("error.type", error.GetType().FullName);
        }

        ZooKeeperMembershipTelemetry.Registrations.Add(1, tags);
    }

    private static void RecordChange(string serviceName, IReadOnlyList<ZooKeeperMember>? before, List<ZooKeeperMember> after)
    {
        var old = before?.Select(m => m.InstanceId).ToHashSet(StringComparer.Ordinal) ?? [];
        var now = after.Select(m => m.InstanceId).ToHashSet(StringComparer.Ordinal);
        var added = now.Count(id => !old.Contains(id));
        var removed = old.Count(id => !now.Contains(id));
        ZooKeeperMembershipTelemetry.Changes.Add(1, new KeyValuePair<string, object?>(ZooKeeperMembershipTelemetry.ServiceNameAttribute, serviceName));

        // No parent: the change comes from a watch, not from the caller's work (as the recipes' leader.change).
        using var activity = ZooKeeperMembershipTelemetry.ActivitySource.StartActivity(
            ZooKeeperMembershipTelemetry.ChangeActivityName, ActivityKind.Internal, parentContext: default(ActivityContext));
        activity?.SetTag(ZooKeeperMembershipTelemetry.ServiceNameAttribute, serviceName);
        activity?.SetTag(ZooKeeperMembershipTelemetry.AddedAttribute, added);
        activity?.SetTag(ZooKeeperMembershipTelemetry.RemovedAttribute, removed);
        activity?.SetTag(ZooKeeperMembershipTelemetry.CountAttribute, after.Count);
    }

    private async Task EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            await _discovery.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<ServiceCache<MemberPayload>> WatchAsync(string serviceName)
    {
        lock (_gate)
        {
            if (!_watched.TryGetValue(serviceName, out var watch) || watch.IsFaulted || watch.IsCanceled)
            {
                // Shared by every caller, so not cancellable by one; a failed start is tried again by the next caller.
                watch = StartWatchAsync(serviceName);
                _watched[serviceName] = watch;
            }

            return watch;
        }
    }

    private async Task<ServiceCache<MemberPayload>> StartWatchAsync(string serviceName)
    {
        var cache = _discovery.CreateServiceCache(serviceName);
        cache.CacheChanged += (_, _) => Update(serviceName, cache, notify: true);
        try
        {
            await cache.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await cache.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Update(serviceName, cache, notify: false);
        return cache;
    }

    private void Update(string serviceName, ServiceCache<MemberPayload> cache, bool notify)
    {
        var members = cache.Instances
            .Select(MemberMapping.ToMember)
            .OfType<ZooKeeperMember>()
            .OrderBy(member => member.InstanceId, StringComparer.Ordinal)
            .ToList();
        _members.TryGetValue(serviceName, out var before);
        _members[serviceName] = members;
        if (!notify)
        {
            return;
        }

        RecordChange(serviceName, before, members);

        _logger.LogDebug("Members of {Service}: {Members}", serviceName, string.Join("; ", members.Select(MemberMapping.Describe)));

        // Swap the signal before firing it, so a consumer that re-reads on the callback gets the next token.
        // Not disposed: a token taken just before the swap may still be registered against.
        CancellationTokenSource? previous = null;
        var fresh = new CancellationTokenSource();
        _signals.AddOrUpdate(serviceName, fresh, (_, old) =>
        {
            previous = old;
            return fresh;
        });
        previous?.Cancel();

        MembersChanged?.Invoke(this, new ZooKeeperMembersChangedEventArgs(serviceName, members));
    }
}
