// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Discovery;

/// <summary>
/// Registers and finds service instances (Curator's <c>ServiceDiscovery</c>, with its layout:
/// <c>{basePath}/{service name}/{instance id}</c>, the instance as JSON), so .NET and Java services
/// using Curator's discovery see each other.
/// </summary>
/// <remarks>
/// <para>
/// Dynamic instances are ephemeral nodes: they vanish when the session ends. The discovery
/// registers its instances again when it reconnects — after a new session always, after a
/// reconnect of the same session only if a node is missing — so a registration survives session
/// loss (Curator re-creates on every reconnect, which fires every watcher for nothing: CURATOR-320).
/// An instance node that exists already (left by an old session the server has not expired yet,
/// or registered by someone else) is deleted and created again, so watchers fire (as Curator).
/// </para>
/// <para>Unregistering is idempotent (CURATOR-617) and deletes the guaranteed way.</para>
/// </remarks>
/// <typeparam name="TPayload">The payload type of the instances.</typeparam>
public sealed class ServiceDiscovery<TPayload> : IAsyncDisposable
{
    private readonly ZooKeeperClient _client;
    private readonly ConcurrentDictionary<string, ServiceInstance<TPayload>> _registered = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly SerialWorker _worker;
    private int _state;

    /// <summary>Creates a discovery; call <see cref="StartAsync"/> before use.</summary>
    /// <param name="client">The client.</param>
    /// <param name="basePath">The parent of the services' nodes.</param>
    /// <param name="serializer">How instances are stored; Curator's JSON by default.</param>
    /// <param name="logger">Where failed re-registrations are logged.</param>
    public ServiceDiscovery(ZooKeeperClient client, string basePath, IInstanceSerializer<TPayload>? serializer = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        BasePath = RecipePaths.Validate(basePath, nameof(basePath));
        Serializer = serializer ?? new JsonInstanceSerializer<TPayload>();
        _logger = logger ?? NullLogger.Instance;
        _worker = new SerialWorker(e => _logger.LogError(e, "Registering the instances under {BasePath} again failed.", BasePath));
    }

    /// <summary>Gets the parent of the services' nodes.</summary>
    public string BasePath { get; }

    /// <summary>Gets the serializer.</summary>
    public IInstanceSerializer<TPayload> Serializer { get; }

    /// <summary>Gets the client.</summary>
    public ZooKeeperClient Client => _client;

    /// <summary>
    /// Gets or sets a hook around each registration made again after a reconnect, e.g. to trace
    /// or count it: it gets the instance, whether the session is new, and the re-registration,
    /// which it must await (its exception included). Set it before <see cref="StartAsync"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the re-registration runs as is.</value>
    public Func<ServiceInstance<TPayload>, bool, Func<Task>, Task>? AroundReRegistration { get; set; }

    /// <summary>Gets the instances this discovery has registered.</summary>
    public IReadOnlyCollection<ServiceInstance<TPayload>> RegisteredInstances => [.. _registered.Values];

    /// <summary>Starts following the connection, to register instances again after a reconnect.</summary>
    /// <param name="cancellationToken">Not used; for symmetry.</param>
    /// <returns>A completed task.</returns>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The discovery can be started only once.");
        }

        _client.ConnectionStateChanged += OnConnectionStateChanged;
        return Task.CompletedTask;
    }

    /// <summary>Registers an instance (or registers it again).</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the instance's node exists.</returns>
    public async Task RegisterServiceAsync(ServiceInstance<TPayload> instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        RecipePaths.ValidateName(instance.Name, nameof(instance));
        RecipePaths.ValidateName(instance.Id, nameof(instance));
        ThrowIfNotStarted();
        _registered[instance.Id] = instance;
        await CreateAsync(instance, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a registered instance's new state (Curator's <c>updateService</c>).</summary>
    /// <param name="instance">The instance, with the id of a registered one.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when written.</returns>
    /// <exception cref="InvalidOperationException">No instance with that id is registered here.</exception>
    public async Task UpdateServiceAsync(ServiceInstance<TPayload> instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ThrowIfNotStarted();
        if (!_registered.ContainsKey(instance.Id))
        {
            throw new InvalidOperationException($"The instance {instance.Id} is not registered here.");
        }

        _registered[instance.Id] = instance;
        try
        {
            await _client.SetDataAsync(PathFor(instance), Serializer.Serialize(instance), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            // Gone with a session: register it again.
            await CreateAsync(instance, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Unregisters an instance; nothing happens when it is not registered.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="cancellationToken">Stops waiting (the delete goes on in the background).</param>
    /// <returns>A task that completes when the node is deleted or the client took the delete over.</returns>
    public async Task UnregisterServiceAsync(ServiceInstance<TPayload> instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        _registered.TryRemove(instance.Id, out _);
        cancellationToken.ThrowIfCancellationRequested();
        await DeleteRegistrationAsync(instance).ConfigureAwait(false);
    }

    /// <summary>Lists the services' names.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The names.</returns>
    public async Task<IReadOnlyList<string>> QueryForNamesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _client.GetChildrenAsync(BasePath, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    /// <summary>Reads the instances of a service; instances whose data cannot be read are skipped.</summary>
    /// <param name="name">The service's name.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The instances.</returns>
    public async Task<IReadOnlyList<ServiceInstance<TPayload>>> QueryForInstancesAsync(string name, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> ids;
        try
        {
            ids = await _client.GetChildrenAsync(PathFor(name), cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return [];
        }

        var instances = new List<ServiceInstance<TPayload>>();
        foreach (var id in ids)
        {
            if (await QueryForInstanceAsync(name, id, cancellationToken).ConfigureAwait(false) is { } instance)
            {
                instances.Add(instance);
            }
        }

        return instances;
    }

    /// <summary>Reads one instance.</summary>
    /// <param name="name">The service's name.</param>
    /// <param name="id">The instance's id.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The instance, or <see langword="null"/> when it does not exist or cannot be read.</returns>
    public async Task<ServiceInstance<TPayload>?> QueryForInstanceAsync(string name, string id, CancellationToken cancellationToken = default)
    {
        try
        {
            var node = await _client.GetDataAsync(PathUtils.Combine(PathFor(name), id), cancellationToken).ConfigureAwait(false);
            return node.Data is null ? null : Serializer.Deserialize(node.Data);
        }
        catch (NoNodeException)
        {
            return null;
        }
        catch (FormatException e)
        {
            _logger.LogWarning(e, "The instance {Id} of {Name} cannot be read.", id, name);
            return null;
        }
    }

    /// <summary>Creates a watched cache of a service's instances (Curator's <c>serviceCacheBuilder</c>); start it before use.</summary>
    /// <param name="name">The service's name.</param>
    /// <returns>The cache.</returns>
    public ServiceCache<TPayload> CreateServiceCache(string name) => new(this, RecipePaths.ValidateName(name, nameof(name)), _logger);

    /// <summary>Creates a provider of a service's instances (Curator's <c>serviceProviderBuilder</c>); start it before use.</summary>
    /// <param name="name">The service's name.</param>
    /// <param name="strategy">How it picks an instance; round-robin by default, as in Curator.</param>
    /// <returns>The provider.</returns>
    public ServiceProvider<TPayload> CreateServiceProvider(string name, IProviderStrategy<TPayload>? strategy = null) =>
        new(CreateServiceCache(name), strategy ?? new RoundRobinStrategy<TPayload>());

    /// <summary>Unregisters every instance registered here and stops following the connection.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _client.ConnectionStateChanged -= OnConnectionStateChanged;
        await _worker.DisposeAsync().ConfigureAwait(false);
        foreach (var instance in _registered.Values)
        {
            await DeleteRegistrationAsync(instance).ConfigureAwait(false);
        }

        _registered.Clear();
    }

    internal string PathFor(string name) => PathUtils.Combine(BasePath, name);

    /// <summary>
    /// Deletes an instance's node the guaranteed way. An ephemeral registration ends with its
    /// session anyway: while the client is not connected (its ensemble is gone, as when a whole
    /// application is stopped at once), the delete is handed to the client's background guaranteed
    /// deletes, done at the next connection, instead of being waited for, which would hold the
    /// caller (typically a host shutting down) until the connection timeout or the session's local
    /// expiry. Curator waits here.
    /// </summary>
    private Task DeleteRegistrationAsync(ServiceInstance<TPayload> instance) =>
        instance.ServiceType is ServiceType.Dynamic or ServiceType.DynamicSequential
            ? _client.DeleteGuaranteedWhileConnectedAsync(PathFor(instance))
            : _client.DeleteGuaranteedAsync(PathFor(instance));

    private string PathFor(ServiceInstance<TPayload> instance) => PathUtils.Combine(PathFor(instance.Name), instance.Id);

    private void ThrowIfNotStarted()
    {
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException("Start the discovery first (and do not use it after disposing it).");
        }
    }

    /// <summary>Curator's <c>internalRegisterService</c>: create, or delete and create (so that watchers fire).</summary>
    private async Task CreateAsync(ServiceInstance<TPayload> instance, CancellationToken cancellationToken)
    {
        var data = Serializer.Serialize(instance);
        var mode = instance.ServiceType switch
        {
            ServiceType.Dynamic => CreateMode.Ephemeral,
            ServiceType.DynamicSequential => CreateMode.EphemeralSequential,
            _ => CreateMode.Persistent,
        };
        var options = new CreateOptions { Mode = mode, Parents = ParentCreation.Container };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _client.CreateAsync(PathFor(instance), data, options, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NodeExistsException) when (attempt < 2)
            {
                try
                {
                    await _client.DeleteAsync(PathFor(instance), cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (NoNodeException)
                {
                }
            }
        }
    }

    private void OnConnectionStateChanged(object? sender, ConnectionStateChange change)
    {
        if (change.State is ConnectionState.Reconnected)
        {
            var newSession = change.IsNewSession;
            _worker.Post(() => ReRegisterAsync(newSession));
        }
    }

    private async Task ReRegisterAsync(bool newSession)
    {
        foreach (var instance in _registered.Values)
        {
            if (Volatile.Read(ref _state) != 1 || !_registered.ContainsKey(instance.Id))
            {
                continue;
            }

            if (!newSession && instance.ServiceType is ServiceType.Dynamic or ServiceType.DynamicSequential
                && await _client.ExistsAsync(PathFor(instance)).ConfigureAwait(false) is { } stat && stat.EphemeralOwner == _client.SessionId)
            {
                continue;
            }

            if (AroundReRegistration is { } around)
            {
                await around(instance, newSession, () => CreateAsync(instance, CancellationToken.None)).ConfigureAwait(false);
            }
            else
            {
                await CreateAsync(instance, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
