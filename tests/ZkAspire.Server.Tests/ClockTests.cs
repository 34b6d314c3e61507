// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Time.Testing;
using ZkAspire.Protocol;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.Testing;

namespace ZkAspire.Server.Tests;

/// <summary>The server's clock drives the core: ticks expire sessions, and Stat times come from it.</summary>
public sealed class ClockTests
{
    [Fact]
    public async Task ASilentSessionExpiresWhenTheServersClockPassesItsTimeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var server = await ZooKeeperTestServer.StartAsync(o => o.TickTimeMs = 1000, timeProvider: clock, cancellationToken: TestContext.Current.CancellationToken);
        var (silent, session) = await RawClient.ConnectSessionAsync(server.Port, timeoutMs: 4000);
        await using var _s = silent;
        var (other, _) = await RawClient.ConnectSessionAsync(server.Port, timeoutMs: 20000);
        await using var _o = other;
        Assert.Equal(4000, session.TimeOut);

        var (created, body) = await other.RequestAsync(OpCode.Create2, new CreateRequest("/t", [], [new ACL(Perms.All, new Id("world", "anyone"))], 0));
        Assert.Equal(0, created.Err);
        var reader = new JuteReader(body);
        Assert.Equal("/t", reader.ReadString());
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), reader.ReadRecord<Stat>().Ctime);

        // Nothing happens while the clock stands still; past the timeout (and the tick that
        // notices it), the server expires the session and closes its connection.
        for (var second = 0; second < 6; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(0, (await other.RequestAsync(OpCode.Ping, null)).Header.Err);
        }

        Assert.True(await silent.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        var dump = await ZkAspire.TestInfrastructure.FourLetterWordClient.SendAsync(server.Port, "dump");
        var sessions = dump[..dump.IndexOf("ephemeral nodes dump:", StringComparison.Ordinal)];
        Assert.DoesNotContain("0x" + session.SessionId.ToString("x"), sessions, StringComparison.Ordinal);
    }
}
