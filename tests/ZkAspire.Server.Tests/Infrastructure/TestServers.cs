// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Tests.Infrastructure;

/// <summary>Servers on free loopback ports.</summary>
internal static class TestServers
{
    public static ZooKeeperServerOptions Options(Action<ZooKeeperServerOptions>? configure = null)
    {
        var options = new ZooKeeperServerOptions
        {
            ClientPortAddress = "127.0.0.1",
            ClientPort = 0,
            FourLetterWordWhitelist = new HashSet<string>(StringComparer.Ordinal) { "*" },
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A server around the scripted <see cref="FakeCore"/>.</summary>
    public static async Task<(ZooKeeperServer Server, FakeCore Core)> StartFakeAsync(
        Action<ZooKeeperServerOptions>? configure = null,
        CapturingLoggerFactory? logs = null,
        TimeProvider? timeProvider = null)
    {
        FakeCore? core = null;
        var server = new ZooKeeperServer(Options(configure), logs, timeProvider, (_, output) => core = new FakeCore(output));
        await server.StartAsync(TestContext.Current.CancellationToken);
        return (server, core!);
    }
}
