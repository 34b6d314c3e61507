// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Performance;

/// <summary>
/// The servers of one flavor in one topology, started as real processes with a data directory
/// of their own, each configured as its package configures it plus what the comparison fixes:
/// tickTime 2000 (the default of both sample configs), forceSync=yes (ZooKeeper's default: fsync
/// before a write is answered), loopback only, every four-letter word allowed. Disposing kills
/// the processes and removes the data.
/// </summary>
internal sealed class ServerCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private ServerCluster(ZooKeeperEnsemble ensemble, TimeSpan coldStart)
    {
        Ensemble = ensemble;
        ColdStart = coldStart;
    }

    public ServerFlavor Flavor => Ensemble.Kind == EnsembleServerKind.Apache ? ServerFlavor.Apache : ServerFlavor.ZkAspire;

    /// <summary>Gets the processes (the harness the process tests use too).</summary>
    public ZooKeeperEnsemble Ensemble { get; }

    public IReadOnlyList<int> Ports => Ensemble.Members.Select(m => m.ClientPort).ToList();

    public string Directory => Ensemble.Directory;

    /// <summary>Gets the time from starting the processes until every server answers a request.</summary>
    public TimeSpan ColdStart { get; }

    public string ConnectString => Ensemble.ConnectionString;

    public IReadOnlyList<int> ProcessIds => Ensemble.Members.Select(m => m.ProcessId ?? throw new InvalidOperationException($"server.{m.Id} is not running")).ToList();

    public string Log => Ensemble.Logs;

    /// <summary>
    /// The configuration of both servers: the package's sample config plus what the comparison
    /// fixes; Apache ZooKeeper's JVM as Debian's zkServer.sh starts it (JAVA_OPTS is empty in
    /// /etc/zookeeper/conf/environment, so the JVM's defaults apply: G1, a heap of up to a quarter
    /// of the memory).
    /// </summary>
    /// <param name="topology">Standalone or three nodes.</param>
    /// <param name="program">The build of zkaspire-server to run.</param>
    public static EnsembleOptions Options(Topology topology, ZkAspireServerProgram program) => new()
    {
        ZkAspireProgram = program,
        Size = topology == Topology.ThreeNodes ? 3 : 1,
        ExtraConfig = ["forceSync=yes", "maxClientCnxns=0"],
        JvmOptions = [],
        ApacheLogLevel = "warn",
        StartTimeout = StartTimeout,
    };

    public static EnsembleServerKind Kind(ServerFlavor flavor) => flavor == ServerFlavor.Apache ? EnsembleServerKind.Apache : EnsembleServerKind.ZkAspire;

    public static async Task<ServerCluster> StartAsync(ServerFlavor flavor, Topology topology, ZkAspireServerProgram program, CancellationToken cancellationToken)
    {
        var ensemble = await ZooKeeperEnsemble.CreateAsync(Kind(flavor), Options(topology, program), cancellationToken).ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            foreach (var member in ensemble.Members)
            {
                member.Start();
            }

            // Serving means every server answers (in an ensemble: a leader is elected and the
            // followers have synced with it).
            await Task.WhenAll(ensemble.Members.Select(m => ProbeUntilServingAsync(m, cancellationToken)))
                .WaitAsync(StartTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            var message = $"{flavor} did not serve on ports {string.Join(',', ensemble.Members.Select(m => m.ClientPort))}: {e.Message}\n{ensemble.Logs}";
            await ensemble.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(message, e);
        }
        catch
        {
            await ensemble.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new ServerCluster(ensemble, stopwatch.Elapsed);
    }

    public ValueTask DisposeAsync() => Ensemble.DisposeAsync();

    /// <summary>Gets the bytes under the data directories, all servers together: whether (and how much) they wrote to disk.</summary>
    public long DataDirectoryBytes() =>
        new DirectoryInfo(Directory).EnumerateDirectories("data", SearchOption.AllDirectories)
            .SelectMany(d => d.EnumerateFiles("*", SearchOption.AllDirectories))
            .Sum(f => f.Length);

    /// <summary>
    /// Serving means answering a request: connect a session and read <c>/</c>, again and again
    /// every 5 ms until it works. A port that accepts connections is not enough (ZooKeeper listens
    /// before it has loaded its database, and closes connections until then).
    /// </summary>
    private static async Task ProbeUntilServingAsync(EnsembleMember member, CancellationToken cancellationToken)
    {
        var port = member.ClientPort;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!member.IsRunning)
            {
                throw new InvalidOperationException($"server.{member.Id} exited");
            }

            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await using var connection = await RawZooKeeperConnection.ConnectAsync(port, cancellationToken: attempt.Token).ConfigureAwait(false);
                var call = await connection.CallAsync(OpCode.Exists, new ExistsRequest("/", false), attempt.Token).ConfigureAwait(false);
                if (call.Error == KeeperErrorCode.Ok)
                {
                    await connection.CloseSessionAsync(attempt.Token).ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or InvalidOperationException or OperationCanceledException or ProtocolException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }
}
