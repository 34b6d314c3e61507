// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.TestInfrastructure;

/// <summary>A server fixture a <see cref="CuratorFixture{TServer}"/> can connect Curator to.</summary>
public interface ICuratorServer
{
    /// <summary>Gets the connection string.</summary>
    string ConnectionString { get; }
}

/// <summary>One Curator program per test class, connected to the class's server.</summary>
/// <typeparam name="TServer">The server.</typeparam>
/// <param name="server">The server (an assembly fixture).</param>
public sealed class CuratorFixture<TServer>(TServer server) : IAsyncLifetime
    where TServer : ICuratorServer
{
    private CuratorProcess? _curator;

    /// <summary>Gets the Curator program.</summary>
    public CuratorProcess Curator => _curator ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        if (!CuratorProcess.IsInstalled)
        {
            throw new InvalidOperationException("Curator's jars are not installed: apt-get install libcurator-recipes-java libcurator-discovery-java.");
        }

        _curator = await CuratorProcess.StartAsync(server.ConnectionString);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_curator is not null)
        {
            await _curator.DisposeAsync();
        }
    }
}
