// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using ZkAspire.Protocol;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Scenarios;

/// <summary>Authentication and ACLs.</summary>
/// <typeparam name="TFixture">The server under test.</typeparam>
public abstract class AuthTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ZooKeeperServerFixture
{
    protected TFixture Server { get; } = server;

    [Fact]
    public async Task DigestCredentialsGrantWhatTheAclSays()
    {
        await using var owner = await Server.ConnectAsync();
        await owner.AddAuthAsync(AuthInfo.Digest("alice", "secret"), Ct);
        var path = await owner.CreateAsync(Server.UniquePath(), Bytes("private"), new CreateOptions { Acl = Acls.CreatorAllAcl }, Ct);

        var acl = await owner.GetAclAsync(path, Ct);
        Assert.Equal([new ACL(Perms.All, new Id("digest", "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E="))], acl.Acl);
        Assert.Equal(DigestAuthentication.GenerateDigest("alice", "secret"), acl.Acl[0].Id.Identity);
        Assert.Contains(await owner.WhoAmIAsync(Ct), i => i.AuthScheme == "digest" && i.User == "alice");

        await using var stranger = await Server.ConnectAsync();
        var denied = await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetDataAsync(path, Ct));
        Assert.Equal(path, denied.Path);
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.SetDataAsync(path, [], cancellationToken: Ct));
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.CreateAsync(path + "/child", [], cancellationToken: Ct));
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.SetAclAsync(path, Acls.OpenAclUnsafe, cancellationToken: Ct));

        await using var friend = await Server.ConnectAsync(o => o.AuthInfo.Add(AuthInfo.Digest("alice", "secret")));
        Assert.Equal("private", Text((await friend.GetDataAsync(path, Ct)).Data));
    }

    [Fact]
    public async Task ReadOnlyAclsAllowReadingOnly()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), Bytes("r"), new CreateOptions { Acl = Acls.ReadAclUnsafe }, Ct);
        Assert.Equal("r", Text((await client.GetDataAsync(path, Ct)).Data));
        await Assert.ThrowsAsync<NoAuthException>(() => client.SetDataAsync(path, [], cancellationToken: Ct));
        await Assert.ThrowsAsync<NoAuthException>(() => client.CreateAsync(path + "/c", [], cancellationToken: Ct));
    }

    [Fact]
    public async Task InvalidAclsAreRejected()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();

        // The auth scheme without authenticated ids, a malformed digest id, an unknown scheme.
        await Assert.ThrowsAsync<InvalidAclException>(() => client.CreateAsync(path, [], new CreateOptions { Acl = Acls.CreatorAllAcl }, Ct));
        await Assert.ThrowsAsync<InvalidAclException>(() => client.CreateAsync(path, [], new CreateOptions { Acl = [new ACL(Perms.All, new Id("digest", "no-colon"))] }, Ct));
        await Assert.ThrowsAsync<InvalidAclException>(() => client.CreateAsync(path, [], new CreateOptions { Acl = [new ACL(Perms.All, new Id("nonsense", "x"))] }, Ct));
        await client.CreateAsync(path, [], cancellationToken: Ct);
        await Assert.ThrowsAsync<InvalidAclException>(() => client.SetAclAsync(path, [], cancellationToken: Ct));
    }

    [Fact]
    public async Task CredentialsAreSentAgainAfterAReconnect()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        await using var client = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        var states = client.RecordStates();
        await client.AddAuthAsync(AuthInfo.Digest("bob", "pw"), Ct);
        var path = await client.CreateAsync(Server.UniquePath(), Bytes("b"), new CreateOptions { Acl = Acls.CreatorAllAcl }, Ct);

        proxy.Drop();
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        Assert.Equal(ConnectionState.Reconnected, (await states.NextAsync()).State);
        Assert.Equal("b", Text((await client.GetDataAsync(path, Ct)).Data));
        Assert.Contains(await client.WhoAmIAsync(Ct), i => i.AuthScheme == "digest" && i.User == "bob");
    }

    [Fact]
    public async Task AnUnknownSchemeFailsAuthenticationAndClosesTheClient()
    {
        await using var client = await Server.ConnectAsync();
        var states = client.RecordStates();
        var events = new Recorder<WatchedEvent>();
        await client.ExistsAsync("/", events.Callback, Ct);

        await Assert.ThrowsAsync<AuthFailedException>(() => client.AddAuthAsync(new AuthInfo("no-such-scheme", [1, 2, 3]), Ct));
        var lost = await states.WaitForAsync(s => s.State == ConnectionState.Lost);
        Assert.Equal(KeeperState.AuthFailed, lost.KeeperState);
        Assert.Equal(KeeperState.AuthFailed, (await events.NextAsync()).State);

        // As the Java client: the client stops for good.
        await Assert.ThrowsAsync<AuthFailedException>(() => client.ExistsAsync("/", Ct));
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task ConnectFailsWhenTheConfiguredCredentialsAreRejected()
    {
        var options = Server.Options();
        options.AuthInfo.Add(new AuthInfo("no-such-scheme", [1]));
        await Assert.ThrowsAsync<AuthFailedException>(() => ZooKeeperClient.ConnectAsync(options, Ct));
    }
}

public sealed class ApacheAuthTests(ApacheZooKeeperFixture server) : AuthTests<ApacheZooKeeperFixture>(server);
