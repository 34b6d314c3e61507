// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client.Tests.Infrastructure;
using ZkAspire.Protocol;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Scenarios;

/// <summary>Transactions (multi) and batched reads (multiRead).</summary>
/// <typeparam name="TFixture">The server under test.</typeparam>
public abstract class MultiTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ZooKeeperServerFixture
{
    protected TFixture Server { get; } = server;

    [Fact]
    public async Task ATransactionAppliesEveryOpAndReturnsTypedResults()
    {
        await using var client = await Server.ConnectAsync();
        var root = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        await client.CreateAsync(root + "/old", [], cancellationToken: Ct);
        await client.CreateAsync(root + "/checked", [], cancellationToken: Ct);

        var results = await client.Transaction()
            .Create(root + "/a", Bytes("a"))
            .Create(root + "/a/b", [], CreateOptions.PersistentSequential)
            .Create(root + "/e", [], CreateOptions.Ephemeral)
            .Create(root + "/c", [], CreateOptions.Container)
            .SetData(root + "/a", Bytes("a2"), 0)
            .Check(root + "/checked", 0)
            .Delete(root + "/old")
            .CommitAsync(Ct);

        Assert.Equal(7, results.Count);
        var a = Assert.IsType<CreateResult>(results[0]);
        Assert.Equal(root + "/a", a.Path);
        Assert.Equal(root + "/a/b0000000000", Assert.IsType<CreateResult>(results[1]).Path);
        Assert.Equal(root + "/e", Assert.IsType<CreateResult>(results[2]).Path);
        Assert.Null(a.Stat);

        // Containers are created with their own opcode, whose result carries the Stat.
        var container = Assert.IsType<CreateResult>(results[3]);
        Assert.Equal(root + "/c", container.Path);
        Assert.NotNull(container.Stat);
        Assert.Equal(1, Assert.IsType<SetDataResult>(results[4]).Stat.Version);
        Assert.IsType<CheckResult>(results[5]);
        Assert.IsType<DeleteResult>(results[6]);

        // One transaction, one zxid.
        Assert.Equal(container.Stat.Value.Czxid, Assert.IsType<SetDataResult>(results[4]).Stat.Mzxid);
        Assert.Equal(client.SessionId, (await client.ExistsAsync(root + "/e", Ct))!.Value.EphemeralOwner);
        Assert.Equal("a2", Text((await client.GetDataAsync(root + "/a", Ct)).Data));
        Assert.Null(await client.ExistsAsync(root + "/old", Ct));
    }

    [Fact]
    public async Task AFailedTransactionAppliesNothingAndCarriesEveryResult()
    {
        await using var client = await Server.ConnectAsync();
        var root = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        await client.CreateAsync(root + "/checked", [], cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<BadVersionException>(() => client.Transaction()
            .Create(root + "/a", [])
            .Check(root + "/checked", 5)
            .Delete(root + "/checked")
            .CommitAsync(Ct));

        Assert.Equal(KeeperErrorCode.BadVersion, error.Code);
        Assert.Equal(root + "/checked", error.Path);
        Assert.Equal(
            [new ErrorResult(KeeperErrorCode.Ok), new ErrorResult(KeeperErrorCode.BadVersion), new ErrorResult(KeeperErrorCode.RuntimeInconsistency)],
            error.Results);
        Assert.Null(await client.ExistsAsync(root + "/a", Ct));
        Assert.NotNull(await client.ExistsAsync(root + "/checked", Ct));
    }

    [Fact]
    public async Task TransactionErrorsAreTheFailingOpsCode()
    {
        await using var client = await Server.ConnectAsync();
        var root = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        await Assert.ThrowsAsync<NodeExistsException>(() => client.Transaction().Create(root, []).CommitAsync(Ct));
        await Assert.ThrowsAsync<NoNodeException>(() => client.Transaction().Delete(root + "/none").CommitAsync(Ct));
        await Assert.ThrowsAsync<NotEmptyException>(() => client.Transaction().Create(root + "/x", []).Delete(root).CommitAsync(Ct));
        Assert.Empty(await client.Transaction().CommitAsync(Ct));
        Assert.Throws<ArgumentException>(() => client.Transaction().Create("bad", []));
        Assert.Throws<ArgumentException>(() => client.Transaction().Create(root + "/p", [], CreateOptions.Persistent with { Parents = ParentCreation.Persistent }));
    }

    [Fact]
    public async Task MultiReadAnswersEachOpOnItsOwn()
    {
        await using var client = await Server.ConnectAsync();
        var root = await client.CreateAsync(Server.UniquePath(), Bytes("root"), cancellationToken: Ct);
        await client.CreateAsync(root + "/c1", [], cancellationToken: Ct);

        var results = await client.MultiRead()
            .GetData(root)
            .GetChildren(root)
            .GetData(root + "/none")
            .ExecuteAsync(Ct);

        var data = Assert.IsType<GetDataResult>(results[0]);
        Assert.Equal("root", Text(data.Data));
        Assert.Equal(1, data.Stat.NumChildren);
        Assert.Equal(["c1"], Assert.IsType<GetChildrenResult>(results[1]).Children);
        Assert.Equal(new ErrorResult(KeeperErrorCode.NoNode), results[2]);
    }
}

public sealed class ApacheMultiTests(ApacheZooKeeperFixture server) : MultiTests<ApacheZooKeeperFixture>(server);
