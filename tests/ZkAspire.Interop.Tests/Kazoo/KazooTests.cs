// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Interop.Tests.Contract;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.Kazoo;

/// <summary>
/// kazoo (Debian's python3-kazoo) against a server: ensure_path, ephemeral and sequence nodes,
/// DataWatch, ChildrenWatch, transactions and its Lock recipe with two contenders. The script
/// (<c>kazoo_scenarios.py</c>) checks itself and prints what it saw; this asserts on that.
/// </summary>
/// <typeparam name="TFixture">Starts the server.</typeparam>
public abstract class KazooTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : ContractServerFixture
{
    /// <summary>Debian's Python, which has kazoo; the python3 first on PATH may not.</summary>
    public const string Python = "/usr/bin/python3";

    [Fact]
    public async Task KazooScenarios()
    {
        var server = await fixture.GetServerAsync(ContractServerOptions.Default);
        var script = Path.Combine(AppContext.BaseDirectory, "Kazoo", "kazoo_scenarios.py");
        var b = "/kazoo-" + Guid.NewGuid().ToString("n")[..8];

        var result = await ExternalProcess.RunAsync(Python, [script, server.ConnectionString, b], timeout: TimeSpan.FromSeconds(90), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, result.ToString());

        var seen = result.OutputLines
            .Where(line => line.Contains(": ", StringComparison.Ordinal))
            .Select(line => line.Split(": ", 2))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        Assert.Equal("done", result.OutputLines[^1]);

        Assert.Equal("True", seen["connected"]);
        Assert.Equal("c", seen["ensure_path"]);
        Assert.Equal($"{b}/eph e owner-is-session=True", seen["ephemeral"]);

        // The base has children a and eph before them: suffixes 2 and 3.
        Assert.Equal("/seq-0000000002,/seq-0000000003", seen["sequence"]);
        Assert.Equal("NoChildrenForEphemeralsError", seen["ephemeral_child"]);
        Assert.Equal("NodeExistsError", seen["node_exists"]);

        // A DataWatch is called with the current data, then after each change, then on delete.
        Assert.Equal("v0@0,v1@1,v2@2,deleted", seen["data_watch"]);

        // A ChildrenWatch is called with the current children, then after each membership
        // change; a child's data change is not one.
        Assert.Equal("[],[x],[x|y],[y]", seen["children_watch"]);

        // create, set_data (new Stat), check, sequential create, delete.
        Assert.Equal($"{b}/tx/a,version=1,True,{b}/tx/s-0000000001,True", seen["transaction"]);
        Assert.Equal("RolledBackError,BadVersionError,RuntimeInconsistency", seen["failed_transaction"]);

        Assert.Equal("first,second", seen["lock_contenders"]);
        Assert.Equal("first acquired,first released,second acquired,second released", seen["lock"]);
        Assert.Equal("0", seen["lock_children_after"]);
        Assert.Equal("NotEmptyError", seen["not_empty"]);
        Assert.Equal("NoNodeError", seen["cleanup"]);
    }
}

/// <summary>kazoo against Apache ZooKeeper 3.8.</summary>
public sealed class ApacheZooKeeperKazooTests(ApacheZooKeeperContractFixture fixture)
    : KazooTests<ApacheZooKeeperContractFixture>(fixture);

/// <summary>kazoo against the <c>zkaspire-server</c> program.</summary>
public sealed class ZkAspireKazooTests(ZkAspireProcessFixture fixture)
    : KazooTests<ZkAspireProcessFixture>(fixture);
