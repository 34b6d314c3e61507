// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Security.Cryptography;
using System.Text;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>A running server the contract suite talks to.</summary>
public interface IContractServer : IAsyncDisposable
{
    /// <summary>Gets the client port on 127.0.0.1.</summary>
    int Port { get; }

    /// <summary>Gets the connection string, <c>127.0.0.1:port</c>.</summary>
    string ConnectionString { get; }
}

/// <summary>
/// How a contract server is configured. Every server of the suite runs with these settings, so
/// both implementations see the same configuration. Besides them, every server listens on
/// 127.0.0.1 only and enables every four-letter word (<c>4lw.commands.whitelist=*</c>).
/// </summary>
public sealed record ContractServerOptions
{
    /// <summary>Gets the default server: no extended types, a super user.</summary>
    public static ContractServerOptions Default { get; } = new();

    /// <summary>Gets a server with TTL nodes enabled and a fast container/TTL reaper.</summary>
    public static ContractServerOptions ExtendedTypes { get; } = new() { ExtendedTypesEnabled = true, ContainerCheckIntervalMs = 100 };

    /// <summary>Gets a server with a 100 ms tick, so sessions may time out after 200 ms.</summary>
    public static ContractServerOptions FastTicks { get; } = new() { TickTime = 100, Instance = "fast-ticks" };

    /// <summary>Gets a server that no test writes to, for facts about a fresh server.</summary>
    public static ContractServerOptions Pristine { get; } = new() { Instance = "pristine" };

    /// <summary>Gets the tick time; sessions are negotiated into [2, 20] ticks.</summary>
    public int TickTime { get; init; } = 2000;

    /// <summary>Gets whether TTL nodes are enabled (<c>zookeeper.extendedTypesEnabled</c>).</summary>
    public bool ExtendedTypesEnabled { get; init; }

    /// <summary>
    /// Gets the container and TTL reaper's interval (<c>znode.container.checkIntervalMs</c>), or
    /// null for the default 60 s.
    /// </summary>
    public int? ContainerCheckIntervalMs { get; init; }

    /// <summary>
    /// Gets the super user's digest (<c>zookeeper.DigestAuthenticationProvider.superDigest</c>).
    /// </summary>
    public string SuperDigest { get; init; } = Digest(SuperUser, SuperPassword);

    /// <summary>Gets a name that makes otherwise equal options start a separate server.</summary>
    public string Instance { get; init; } = "shared";

    /// <summary>The super user's name.</summary>
    public const string SuperUser = "super";

    /// <summary>The super user's password.</summary>
    public const string SuperPassword = "super-secret";

    /// <summary>
    /// The digest ZooKeeper derives from <c>user:password</c>: <c>user:</c> plus Base64 of the
    /// SHA-1 of the whole string (§10).
    /// </summary>
    /// <param name="user">The user.</param>
    /// <param name="password">The password.</param>
    /// <returns>The digest id.</returns>
    public static string Digest(string user, string password) =>
        user + ":" + Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(user + ":" + password)));
}

/// <summary>
/// Behaviour where a server deliberately differs from Apache ZooKeeper 3.8.0, the oracle: what
/// 3.8.2+ and 3.9 changed on the wire, and security and crash fixes (doc §4.2, §11.6, §24;
/// docs/compatibility.md lists them for users). The default value of every trait is 3.8.0's.
/// </summary>
public sealed record ServerTraits
{
    /// <summary>Gets Debian's Apache ZooKeeper 3.8.0.</summary>
    public static ServerTraits ApacheZooKeeper380 { get; } = new();

    /// <summary>Gets ZkAspire: the 3.9 wire behaviour plus the fixes listed in docs/compatibility.md.</summary>
    public static ServerTraits ZkAspire { get; } = new()
    {
        TopLevelCheckIsUnimplemented = true,
        ExistsChecksRead = true,
        NotificationsCarryTheTxnZxid = true,
        WatchModesAreIndependent = true,
        MultiCreateOpsKeepTheirOpcode = true,
        WrongPasswordResumeKeepsTheOwnersConnection = true,
    };

    /// <summary>
    /// Gets whether check outside a multi is answered like an unknown opcode (−6, then close), as
    /// 3.8.5 and 3.9.3 do since ZOOKEEPER-2623; 3.8.0 runs it as a transaction, writes an
    /// unreadable txn and loses the reply when it passes.
    /// </summary>
    public bool TopLevelCheckIsUnimplemented { get; init; }

    /// <summary>
    /// Gets whether exists checks READ on an existing node (3.8.4+ and 3.9.2+; Debian's 3.8.0
    /// does not).
    /// </summary>
    public bool ExistsChecksRead { get; init; }

    /// <summary>
    /// Gets whether a notification's ReplyHeader carries the zxid of the txn that triggered it
    /// (3.9); 3.8 sends −1. Catch-up events of setWatches carry −1 in both (§5, §15.5, §24).
    /// </summary>
    public bool NotificationsCarryTheTxnZxid { get; init; }

    /// <summary>
    /// Gets whether one-shot, persistent and persistent recursive watches are tracked apart, as
    /// 3.9 does (ZOOKEEPER-4466, ZOOKEEPER-4472): checkWatches/removeWatches with Data or
    /// Children match one-shot watches only, Persistent (4) and PersistentRecursive (5) match
    /// those modes, Any matches all. 3.8 keeps one mode per path and answers 4 and 5 with −5 (§24).
    /// </summary>
    public bool WatchModesAreIndependent { get; init; }

    /// <summary>
    /// Gets whether create ops inside a multi keep their opcode, as 3.8.2+ and 3.9 decode them
    /// (ZOOKEEPER-4026): a create2 op answers as create2 with its Stat, a createContainer op
    /// makes a container whatever its flags, and an invalid or TTL flag on a create, create2 or
    /// createContainer op fails the whole request with −5. 3.8.0 rebuilt every create op from its
    /// flags alone (create2 answered as create, createContainer with plain flags made a plain
    /// node) and failed only that op with −8 for an invalid flag.
    /// </summary>
    public bool MultiCreateOpsKeepTheirOpcode { get; init; }

    /// <summary>
    /// Gets whether a resume with a wrong password leaves the session's current connection open.
    /// ZooKeeper closes that connection before it checks the password (§4.2 step 6), so anyone
    /// who learns a session id can cut its client off.
    /// </summary>
    public bool WrongPasswordResumeKeepsTheOwnersConnection { get; init; }
}

/// <summary>
/// Starts the servers of one contract test class, lazily, one per distinct
/// <see cref="ContractServerOptions"/>, and stops them all at the end.
/// </summary>
public abstract class ContractServerFixture : IAsyncLifetime
{
    private readonly Dictionary<ContractServerOptions, Task<IContractServer>> _servers = [];

    /// <summary>Gets what this implementation does differently on purpose.</summary>
    public abstract ServerTraits Traits { get; }

    /// <summary>Gets a server with the given options, starting it on first use.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The running server.</returns>
    public Task<IContractServer> GetServerAsync(ContractServerOptions options)
    {
        lock (_servers)
        {
            if (!_servers.TryGetValue(options, out var server))
            {
                server = StartServerAsync(options);
                _servers.Add(options, server);
            }

            return server;
        }
    }

    /// <inheritdoc/>
    public virtual async ValueTask InitializeAsync() => await GetServerAsync(ContractServerOptions.Default);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Task<IContractServer>[] servers;
        lock (_servers)
        {
            servers = [.. _servers.Values];
        }

        foreach (var server in servers)
        {
            try
            {
                await (await server).DisposeAsync();
            }
            catch (Exception)
            {
                // A server that failed to start has nothing to stop.
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Starts one server on a free loopback port.</summary>
    /// <param name="options">How to configure it.</param>
    /// <returns>The running server.</returns>
    protected abstract Task<IContractServer> StartServerAsync(ContractServerOptions options);
}
