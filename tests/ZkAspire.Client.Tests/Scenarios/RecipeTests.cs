// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using ZkAspire.Protocol;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Scenarios;

/// <summary>
/// What Curator users rely on: create with parents (persistent or containers), protected creates,
/// delete with children, guaranteed delete, TTL expiry. Needs a server whose reaper runs fast.
/// </summary>
/// <typeparam name="TFixture">The server under test.</typeparam>
public abstract class RecipeTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ZooKeeperServerFixture
{
    protected TFixture Server { get; } = server;

    [Fact]
    public async Task CreateMakesMissingParentsAsPersistentNodes()
    {
        await using var client = await Server.ConnectAsync();
        var root = Server.UniquePath();
        var path = await client.CreateAsync(root + "/a/b/c", Bytes("leaf"), new CreateOptions { Parents = ParentCreation.Persistent }, Ct);
        Assert.Equal(root + "/a/b/c", path);
        Assert.Equal("leaf", Text((await client.GetDataAsync(path, Ct)).Data));
        Assert.Empty((await client.GetDataAsync(root + "/a", Ct)).Data!);

        // Parents that exist already are fine, sequential names too.
        var sequential = await client.CreateAsync(root + "/a/b/s-", [], CreateOptions.PersistentSequential with { Parents = ParentCreation.Persistent }, Ct);
        Assert.StartsWith(root + "/a/b/s-", sequential, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NoNodeException>(() => client.CreateAsync(root + "/x/y", [], cancellationToken: Ct));
    }

    [Fact]
    public async Task ContainerParentsGoWhenTheirLastChildGoes()
    {
        Assert.True(Server.FastReaper);
        await using var client = await Server.ConnectAsync();
        var containers = Server.UniquePath("containers");
        var persistent = Server.UniquePath("persistent");
        await client.CreateAsync(persistent + "/p/leaf", [], new CreateOptions { Parents = ParentCreation.Persistent }, Ct);
        await client.CreateAsync(containers + "/c/leaf", [], new CreateOptions { Parents = ParentCreation.Container }, Ct);
        await client.DeleteAsync(persistent + "/p/leaf", cancellationToken: Ct);

        var reaped = await client.ExistsAndWatchAsync(containers + "/c", Ct);
        var rootReaped = await client.ExistsAndWatchAsync(containers, Ct);
        await client.DeleteAsync(containers + "/c/leaf", cancellationToken: Ct);
        Assert.Equal(EventType.NodeDeleted, (await reaped.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct)).Type);
        Assert.Equal(EventType.NodeDeleted, (await rootReaped.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct)).Type);

        // The reaper has run since the persistent leaf went: persistent parents stay.
        Assert.NotNull(await client.ExistsAsync(persistent + "/p", Ct));
    }

    [Fact]
    public async Task ParentsGetTheNodesAclWhenAsked()
    {
        await using var client = await Server.ConnectAsync(o => o.AuthInfo.Add(AuthInfo.Digest("carol", "pw")));
        var root = Server.UniquePath();
        var options = new CreateOptions { Acl = Acls.CreatorAllAcl, Parents = ParentCreation.Persistent, ApplyAclToParents = true };
        await client.CreateAsync(root + "/a/leaf", [], options, Ct);
        var digest = new Id("digest", DigestAuthentication.GenerateDigest("carol", "pw"));
        Assert.Equal([new ACL(Perms.All, digest)], (await client.GetAclAsync(root + "/a", Ct)).Acl);

        var open = Server.UniquePath();
        await client.CreateAsync(open + "/a/leaf", [], options with { ApplyAclToParents = false }, Ct);
        Assert.Equal(Acls.OpenAclUnsafe, (await client.GetAclAsync(open + "/a", Ct)).Acl);
        Assert.Equal([new ACL(Perms.All, digest)], (await client.GetAclAsync(open + "/a/leaf", Ct)).Acl);
    }

    [Fact]
    public async Task ProtectedCreatesCarryAGuidInTheName()
    {
        await using var client = await Server.ConnectAsync();
        var root = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var path = await client.CreateAsync(root + "/lock-", [], CreateOptions.EphemeralSequential with { Protected = true }, Ct);
        var name = PathUtils.GetName(path);
        Assert.Matches("^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-0000000000$", name);
        Assert.Equal([name], await client.GetChildrenAsync(root, Ct));
    }

    [Fact]
    public async Task AProtectedCreateWhoseReplyIsLostIsNotMadeTwice()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        var options = Server.Options(proxy.ConnectionString);
        options.SessionTimeout = TimeSpan.FromSeconds(4);
        options.RetryPolicy = new RetryNTimes(50, TimeSpan.FromMilliseconds(100));
        await using var client = await ZooKeeperClient.ConnectAsync(options, Ct);
        var states = client.RecordStates();
        var root = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);

        // The request is written, then the connection goes dark: the create may or may not be
        // applied. When the server is back, the client looks for its node before creating again.
        proxy.Blackhole();
        var create = client.CreateAsync(root + "/item-", [], CreateOptions.PersistentSequential with { Protected = true }, Ct);
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        proxy.Forward();
        var path = await create;

        var children = await client.GetChildrenAsync(root, Ct);
        Assert.Equal([PathUtils.GetName(path)], children);
    }

    [Fact]
    public async Task DeleteWithChildrenDeletesTheSubtree()
    {
        await using var client = await Server.ConnectAsync();
        var root = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                await client.CreateAsync($"{root}/a{i}/b{j}/leaf", [], new CreateOptions { Parents = ParentCreation.Persistent }, Ct);
            }
        }

        await Assert.ThrowsAsync<NotEmptyException>(() => client.DeleteAsync(root, cancellationToken: Ct));
        Assert.Equal(27, await client.GetAllChildrenNumberAsync(root, Ct));
        await client.DeleteAsync(root, new DeleteOptions { DeleteChildren = true }, Ct);
        Assert.Null(await client.ExistsAsync(root, Ct));

        // A version applies to the node itself.
        await client.CreateAsync(root + "/c", [], new CreateOptions { Parents = ParentCreation.Persistent }, Ct);
        await Assert.ThrowsAsync<BadVersionException>(() => client.DeleteAsync(root, new DeleteOptions { DeleteChildren = true, Version = 4 }, Ct));
        await client.DeleteAsync(root, new DeleteOptions { DeleteChildren = true, Version = 0 }, Ct);
        Assert.Null(await client.ExistsAsync(root, Ct));
    }

    [Fact]
    public async Task AGuaranteedDeleteGoesOnInTheBackgroundUntilDone()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        var options = Server.Options(proxy.ConnectionString);
        options.ConnectionTimeout = TimeSpan.FromMilliseconds(300);
        options.RetryPolicy = RetryNTimes.Never;
        await using var client = await ZooKeeperClient.ConnectAsync(options, Ct);
        await using var other = await Server.ConnectAsync();
        var states = client.RecordStates();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        await client.CreateAsync(path + "/child", [], cancellationToken: Ct);
        var deleted = await other.ExistsAndWatchAsync(path, Ct);

        proxy.Refuse();
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        await Assert.ThrowsAsync<ConnectionLossException>(() =>
            client.DeleteAsync(path, new DeleteOptions { Guaranteed = true, DeleteChildren = true }, Ct));
        Assert.NotNull(await other.ExistsAsync(path, Ct));

        proxy.Forward();
        Assert.Equal(EventType.NodeDeleted, (await deleted.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct)).Type);
    }

    [Fact]
    public async Task TtlNodesExpireWhenUntouched()
    {
        Assert.True(Server.TtlEnabled && Server.FastReaper);
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        await client.CreateAsync(path, [], new CreateOptions { Mode = CreateMode.PersistentWithTtl, Ttl = TimeSpan.FromMilliseconds(200) }, Ct);
        var gone = await client.ExistsAndWatchAsync(path, Ct);
        Assert.NotNull(gone.Result);
        Assert.Equal(EventType.NodeDeleted, (await gone.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct)).Type);
    }
}

public sealed class ApacheRecipeTests(ApacheZooKeeperWithTtlFixture server) : RecipeTests<ApacheZooKeeperWithTtlFixture>(server);
