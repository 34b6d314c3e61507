// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using ZkAspire.Protocol;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Scenarios;

/// <summary>Read-only servers: the ReadOnly state, refused writes, and moving to a read-write server.</summary>
public sealed class ReadOnlyTests(ApacheZooKeeperFixture server, ApacheReadOnlyServerFixture readOnlyServer)
    : IClassFixture<ApacheZooKeeperFixture>, IClassFixture<ApacheReadOnlyServerFixture>
{
    [Fact]
    public async Task AReadOnlyServerIsReportedAndRefusesWrites()
    {
        var readOnly = readOnlyServer.Server;

        // A client that does not accept read-only servers is refused (the server closes the socket).
        var strict = server.Options(readOnly.ConnectionString);
        strict.ConnectionTimeout = TimeSpan.FromMilliseconds(500);
        await Assert.ThrowsAsync<ConnectionLossException>(() => ZooKeeperClient.ConnectAsync(strict, Ct));

        var options = server.Options(readOnly.ConnectionString);
        options.CanBeReadOnly = true;
        await using var client = new ZooKeeperClient(options);
        var states = client.RecordStates();
        await client.ConnectAsync(Ct);
        var state = await states.NextAsync();
        Assert.Equal((ConnectionState.ReadOnly, KeeperState.ConnectedReadOnly), (state.State, state.KeeperState));
        Assert.True(state.IsConnected);

        Assert.NotNull(await client.ExistsAsync("/", Ct));
        Assert.Contains("zookeeper", await client.GetChildrenAsync("/", Ct));
        await Assert.ThrowsAsync<NotReadOnlyException>(() => client.CreateAsync("/x", [], cancellationToken: Ct));
    }

    [Fact]
    public async Task AReadOnlyClientMovesToAReadWriteServerWhenOneAnswers()
    {
        var readOnly = readOnlyServer.Server;
        await using var readWrite = new NetworkProxy(server.Port);
        readWrite.Refuse();

        var options = server.Options(readOnly.ConnectionString + "," + readWrite.ConnectionString);
        options.CanBeReadOnly = true;
        await using var client = new ZooKeeperClient(options);
        var states = client.RecordStates();
        await client.ConnectAsync(Ct);
        Assert.Equal(ConnectionState.ReadOnly, (await states.NextAsync()).State);

        // The client probes the other server with isro; once it answers rw, the client moves.
        readWrite.Forward();
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        var moved = await states.NextAsync();
        Assert.Equal((ConnectionState.Reconnected, KeeperState.SyncConnected), (moved.State, moved.KeeperState));

        // A session made by a read-only server is local to it: the read-write server made a new one.
        Assert.True(moved.IsNewSession);
        Assert.Equal(readWrite.Port, client.Server!.Port);
        var path = await client.CreateAsync(server.UniquePath(), Bytes("rw"), cancellationToken: Ct);
        Assert.Equal("rw", Text((await client.GetDataAsync(path, Ct)).Data));
    }
}
