// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>The contract suite against the oracle: Debian's Apache ZooKeeper 3.8.0.</summary>
public sealed class ApacheZooKeeperContractTests(ApacheZooKeeperContractFixture fixture)
    : ZooKeeperContractTests<ApacheZooKeeperContractFixture>(fixture);

/// <summary>Starts Apache ZooKeeper 3.8 servers for the contract suite.</summary>
public sealed class ApacheZooKeeperContractFixture : ContractServerFixture
{
    /// <inheritdoc/>
    public override ServerTraits Traits => ServerTraits.ApacheZooKeeper380;

    /// <inheritdoc/>
    protected override async Task<IContractServer> StartServerAsync(ContractServerOptions options)
    {
        List<string> properties =
        [
            "zookeeper.DigestAuthenticationProvider.superDigest=" + options.SuperDigest,
        ];
        if (options.ExtendedTypesEnabled)
        {
            properties.Add("zookeeper.extendedTypesEnabled=true");
        }

        if (options.ContainerCheckIntervalMs is { } interval)
        {
            properties.Add(string.Create(CultureInfo.InvariantCulture, $"znode.container.checkIntervalMs={interval}"));
        }

        var server = await ApacheZooKeeper.StartAsync(
            extraConfig: [string.Create(CultureInfo.InvariantCulture, $"tickTime={options.TickTime}")],
            systemProperties: properties);
        return new Server(server);
    }

    private sealed class Server(ApacheZooKeeper server) : IContractServer
    {
        public int Port => server.Port;

        public string ConnectionString => server.ConnectionString;

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }
}
