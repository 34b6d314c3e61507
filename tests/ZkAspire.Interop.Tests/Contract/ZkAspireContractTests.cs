// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Server;
using ZkAspire.TestInfrastructure;
using ZkAspire.Testing;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>The contract suite against our server, in process (<see cref="ZooKeeperTestServer"/>).</summary>
public sealed class ZkAspireContractTests(ZkAspireContractFixture fixture)
    : ZooKeeperContractTests<ZkAspireContractFixture>(fixture);

/// <summary>Starts in-process ZkAspire servers for the contract suite.</summary>
public sealed class ZkAspireContractFixture : ContractServerFixture
{
    /// <inheritdoc/>
    public override ServerTraits Traits => ServerTraits.ZkAspire;

    /// <inheritdoc/>
    protected override async Task<IContractServer> StartServerAsync(ContractServerOptions options)
    {
        var server = await ZooKeeperTestServer.StartAsync(o => Configure(o, options));
        return new Server(server);
    }

    /// <summary>Maps the suite's options to the server's (the zoo.cfg settings of the same names).</summary>
    internal static void Configure(ZooKeeperServerOptions server, ContractServerOptions options)
    {
        server.TickTimeMs = options.TickTime;
        server.ExtendedTypesEnabled = options.ExtendedTypesEnabled;
        server.SuperDigest = options.SuperDigest;
        if (options.ContainerCheckIntervalMs is { } interval)
        {
            server.ContainerCheckIntervalMs = interval;
        }
    }

    private sealed class Server(ZooKeeperTestServer server) : IContractServer
    {
        public int Port => server.Port;

        public string ConnectionString => server.ConnectionString;

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }
}

/// <summary>
/// Starts the real <c>zkaspire-server</c> program with a zoo.cfg, as a user runs it, for the
/// suites that drive stock clients (zkCli, kazoo, the C client).
/// </summary>
public sealed class ZkAspireProcessFixture : ContractServerFixture
{
    /// <inheritdoc/>
    public override ServerTraits Traits => ServerTraits.ZkAspire;

    /// <inheritdoc/>
    protected override async Task<IContractServer> StartServerAsync(ContractServerOptions options)
    {
        // The zoo.cfg keys Apache ZooKeeper reads (as settings or, prefixed with "zookeeper.",
        // as system properties).
        List<string> config =
        [
            string.Create(CultureInfo.InvariantCulture, $"tickTime={options.TickTime}"),
            "DigestAuthenticationProvider.superDigest=" + options.SuperDigest,
            "maxClientCnxns=0",
        ];
        if (options.ExtendedTypesEnabled)
        {
            config.Add("extendedTypesEnabled=true");
        }

        if (options.ContainerCheckIntervalMs is { } interval)
        {
            config.Add(string.Create(CultureInfo.InvariantCulture, $"znode.container.checkIntervalMs={interval}"));
        }

        return new Server(await ZkAspireServerProcess.StartAsync(config));
    }

    private sealed class Server(ZkAspireServerProcess server) : IContractServer
    {
        public int Port => server.Port;

        public string ConnectionString => server.ConnectionString;

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }
}
