// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Runtime.CompilerServices;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>
/// Client-visible ZooKeeper behaviour, written once and run against every server implementation
/// (one small concrete class per server, like DistributedLock's provider test suites). Each
/// scenario speaks the wire protocol through <see cref="RawZooKeeperConnection"/> and compares
/// exact replies: error codes, every deterministic Stat field (zxids relative to a baseline, times
/// as ranges), sorted child lists, and the order of notifications relative to replies.
/// </summary>
/// <remarks>
/// <para>
/// The scenarios of one class run one after another against servers shared by the class, so
/// zxid deltas are exact as long as every session a scenario opens is closed before the next
/// one starts (an abandoned session would expire later and consume a zxid in the middle of
/// another scenario): <see cref="DisposeAsync"/> closes them all. Scenarios isolate their nodes
/// under a fresh path from <see cref="NewRootAsync"/>.
/// </para>
/// <para>
/// Where Apache ZooKeeper 3.8.0 differs from 3.9 or from ZkAspire on purpose, the scenario checks
/// each side's behaviour, chosen by a <see cref="ServerTraits"/> flag (docs/compatibility.md
/// lists them); everywhere else both servers must answer alike.
/// </para>
/// </remarks>
/// <typeparam name="TFixture">Starts the servers of one implementation.</typeparam>
public abstract partial class ZooKeeperContractTests<TFixture> : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : ContractServerFixture
{
    private readonly List<RawZooKeeperConnection> _connections = [];
    private readonly Dictionary<long, (int Port, byte[] Password)> _sessions = [];

    /// <summary>Creates the suite.</summary>
    /// <param name="fixture">The servers.</param>
    protected ZooKeeperContractTests(TFixture fixture) => Fixture = fixture;

    /// <summary>Gets the servers.</summary>
    protected TFixture Fixture { get; }

    /// <summary>Gets what the implementation under test does differently on purpose.</summary>
    protected ServerTraits Traits => Fixture.Traits;

    /// <summary>Gets the test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <inheritdoc/>
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Closes every session the scenario opened, so none expires during a later one.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var (sessionId, (port, password)) in _sessions)
        {
            var open = _connections.LastOrDefault(c => c.SessionId == sessionId && !c.IsClosedByPeer);
            try
            {
                if (open is not null)
                {
                    await open.CloseSessionAsync(CancellationToken.None);
                    continue;
                }

                // The server closed our connection but the session lives until it expires:
                // resume it and close it. A refused resume means it is already gone.
                await using var resumed = await RawZooKeeperConnection.OpenAsync(port, CancellationToken.None);
                await resumed.SendConnectAsync(new ConnectRequest(0, 0, 30_000, sessionId, password, false), CancellationToken.None);
                if (await resumed.ReceiveConnectResponseAsync(CancellationToken.None) is { TimeOut: > 0 })
                {
                    await resumed.CloseSessionAsync(CancellationToken.None);
                }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
            {
                // Best effort: the scenario's own assertions have already run.
            }
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Gets a server, starting it on first use.</summary>
    /// <param name="options">Its options; the default server if null.</param>
    /// <returns>The server.</returns>
    protected Task<IContractServer> ServerAsync(ContractServerOptions? options = null) =>
        Fixture.GetServerAsync(options ?? ContractServerOptions.Default);

    /// <summary>Connects a new session (the handshake must succeed) and tracks it for cleanup.</summary>
    /// <param name="options">Which server; the default one if null.</param>
    /// <param name="timeOut">The session timeout to ask for.</param>
    /// <param name="readOnly">The readOnly byte, or null to send none.</param>
    /// <returns>The connection.</returns>
    protected async Task<RawZooKeeperConnection> ConnectAsync(ContractServerOptions? options = null, int timeOut = RawZooKeeperConnection.DefaultSessionTimeout, bool? readOnly = false)
    {
        var server = await ServerAsync(options);
        var connection = await RawZooKeeperConnection.ConnectAsync(server.Port, timeOut, readOnly, cancellationToken: Ct);
        return Track(connection);
    }

    /// <summary>Opens a socket without a handshake, tracked for cleanup.</summary>
    /// <param name="options">Which server.</param>
    /// <returns>The connection.</returns>
    protected async Task<RawZooKeeperConnection> OpenAsync(ContractServerOptions? options = null)
    {
        var server = await ServerAsync(options);
        return Track(await RawZooKeeperConnection.OpenAsync(server.Port, Ct));
    }

    /// <summary>Tracks a connection so its socket is disposed and its session closed at the end.</summary>
    /// <param name="connection">The connection.</param>
    /// <returns>The same connection.</returns>
    protected RawZooKeeperConnection Track(RawZooKeeperConnection connection)
    {
        _connections.Add(connection);
        if (connection.ConnectResponse is { TimeOut: > 0, SessionId: var id and not 0 } response)
        {
            _sessions[id] = (connection.Port, response.Passwd ?? new byte[16]);
        }

        return connection;
    }

    /// <summary>Performs a handshake on an opened connection and tracks the session it yields.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="request">The ConnectRequest.</param>
    /// <returns>The response, or null if the server closed the connection.</returns>
    protected async Task<ConnectResponse?> HandshakeAsync(RawZooKeeperConnection connection, ConnectRequest request)
    {
        await connection.SendConnectAsync(request, Ct);
        var response = await connection.ReceiveConnectResponseAsync(Ct);
        Track(connection);
        return response;
    }

    /// <summary>Creates a fresh persistent node for the scenario, named after the test.</summary>
    /// <param name="connection">The connection to create it with.</param>
    /// <param name="name">The scenario's name (the calling method by default).</param>
    /// <returns>The node's path.</returns>
    protected static async Task<string> NewRootAsync(RawZooKeeperConnection connection, [CallerMemberName] string name = "")
    {
        var path = "/" + name + "-" + Guid.NewGuid().ToString("n")[..8];
        (await connection.CreateAsync(path)).AssertOk();
        return path;
    }

    /// <summary>Milliseconds since the Unix epoch, to bracket server timestamps.</summary>
    /// <returns>The time.</returns>
    protected static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Asserts a server timestamp lies within a bracket of our clock (same machine).</summary>
    /// <param name="time">The server's time.</param>
    /// <param name="before">Our time before the request.</param>
    /// <param name="after">Our time after the reply.</param>
    protected static void AssertTime(long time, long before, long after) => Assert.InRange(time, before - 10, after + 10);

    /// <summary>The server's last zxid, read without changing it (the zxid of an exists reply).</summary>
    /// <param name="connection">The connection.</param>
    /// <returns>The zxid.</returns>
    protected static async Task<long> LastZxidAsync(RawZooKeeperConnection connection) =>
        (await connection.ExistsAsync("/")).AssertOk().Zxid;
}
