// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;

namespace ZkAspire.TestInfrastructure;

/// <summary>The server program an ensemble runs.</summary>
public enum EnsembleServerKind
{
    /// <summary>Apache ZooKeeper 3.8 (Debian's package), <c>QuorumPeerMain</c> on Debian's JVM.</summary>
    Apache,

    /// <summary>Our <c>zkaspire-server</c>, the build beside the test assemblies.</summary>
    ZkAspire,
}

/// <summary>How an ensemble's servers are configured and started; the same zoo.cfg keys for both kinds.</summary>
public sealed record EnsembleOptions
{
    /// <summary>Gets the servers: 1 is standalone (no <c>server.N</c> lines, no myid), 3, 5 or 7 an ensemble.</summary>
    public int Size { get; init; } = 3;

    /// <summary>Gets zoo.cfg's <c>tickTime</c> in milliseconds (2000, both sample configs' default).</summary>
    public int TickTime { get; init; } = 2000;

    /// <summary>Gets zoo.cfg's <c>initLimit</c> in ticks (the sample config's 10).</summary>
    public int InitLimit { get; init; } = 10;

    /// <summary>Gets zoo.cfg's <c>syncLimit</c> in ticks (the sample config's 5).</summary>
    public int SyncLimit { get; init; } = 5;

    /// <summary>Gets more zoo.cfg lines, e.g. <c>forceSync=yes</c>.</summary>
    public IReadOnlyList<string> ExtraConfig { get; init; } = [];

    /// <summary>
    /// Gets the JVM options of Apache ZooKeeper's processes (the default caps the heap so that three
    /// JVMs fit beside the tests; empty is the package's own, JVM defaults).
    /// </summary>
    public IReadOnlyList<string> JvmOptions { get; init; } = ["-Xmx256m", "-XX:+UseSerialGC"];

    /// <summary>Gets Apache ZooKeeper's log level (slf4j-simple): warn keeps the captured logs small.</summary>
    public string ApacheLogLevel { get; init; } = "warn";

    /// <summary>Gets the build of <c>zkaspire-server</c> the members run; the JIT build beside the tests when null.</summary>
    public ZkAspireServerProgram? ZkAspireProgram { get; init; }

    /// <summary>Gets how long a start may take until every running member serves.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// An ensemble of real server processes, Apache ZooKeeper's or ours, configured as ZooKeeper's
/// tutorial configures a pseudo-cluster on one machine: one zoo.cfg per server with every
/// <c>server.N=127.0.0.1:quorumPort:electionPort</c> line, a dataDir with <c>myid</c>, free loopback
/// ports. Members can be killed (SIGKILL), paused (SIGSTOP), resumed (SIGCONT) and restarted on
/// the same ports and dataDir. Disposing kills every process and removes the directories; the
/// processes are also killed if the test host exits without disposing.
/// </summary>
public sealed class ZooKeeperEnsemble : IAsyncDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    private ZooKeeperEnsemble(EnsembleServerKind kind, EnsembleOptions options, string directory, IReadOnlyList<EnsembleMember> members)
    {
        Kind = kind;
        Options = options;
        Directory = directory;
        Members = members;
    }

    /// <summary>Gets the server program.</summary>
    public EnsembleServerKind Kind { get; }

    /// <summary>Gets the configuration.</summary>
    public EnsembleOptions Options { get; }

    /// <summary>Gets the directory holding every member's zoo.cfg and dataDir.</summary>
    public string Directory { get; }

    /// <summary>Gets the members, in server id order (id 1 first).</summary>
    public IReadOnlyList<EnsembleMember> Members { get; }

    /// <summary>Gets the connection string naming every member, <c>127.0.0.1:p1,127.0.0.1:p2,…</c>.</summary>
    public string ConnectionString => string.Join(',', Members.Select(m => m.ConnectionString));

    /// <summary>Gets every member's log so far, each under a header: for failure messages.</summary>
    public string Logs => string.Join('\n', Members.Select(m => $"===== server.{m.Id} ({Kind}) =====\n{m.Log}"));

    /// <summary>Writes the configuration of every member, starts them all and waits until they serve (one leader).</summary>
    /// <param name="kind">The server program.</param>
    /// <param name="options">The configuration; the defaults are three servers with the sample config's limits.</param>
    /// <param name="cancellationToken">Cancels the start; the processes are stopped.</param>
    /// <returns>The serving ensemble.</returns>
    public static async Task<ZooKeeperEnsemble> StartAsync(EnsembleServerKind kind, EnsembleOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ensemble = await CreateAsync(kind, options, cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var member in ensemble.Members)
            {
                member.Start();
            }

            await ensemble.WaitUntilServingAsync(ensemble.Options.StartTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ensemble.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return ensemble;
    }

    /// <summary>Writes the configuration of every member without starting any (to time the start, or start some).</summary>
    /// <param name="kind">The server program.</param>
    /// <param name="options">The configuration.</param>
    /// <param name="cancellationToken">Cancels the writing.</param>
    /// <returns>The ensemble, every member stopped.</returns>
    public static async Task<ZooKeeperEnsemble> CreateAsync(EnsembleServerKind kind, EnsembleOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EnsembleOptions();
        if (options.Size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Size, "An ensemble has at least one server.");
        }

        if (kind == EnsembleServerKind.Apache && !ApacheZooKeeper.IsInstalled)
        {
            throw new InvalidOperationException($"Apache ZooKeeper is not installed ({ApacheZooKeeper.ZooKeeperJar} or /usr/bin/java missing): run 'apt-get install zookeeper' (.ci/run does).");
        }

        if (kind == EnsembleServerKind.ZkAspire && (options.ZkAspireProgram ?? ZkAspireServerProgram.Jit) is { } program && !File.Exists(program.Path))
        {
            throw new InvalidOperationException($"{program.Path} is missing: build tests/ZkAspire.TestInfrastructure (it references the server program), or publish the native build.");
        }

        var directory = Path.Combine(Path.GetTempPath(), "zkaspire-ensemble-" + kind.ToString().ToLowerInvariant() + "-" + Guid.NewGuid().ToString("n")[..8]);
        var ports = DistinctFreePorts(options.Size * 3);
        var members = new List<EnsembleMember>();
        for (var i = 0; i < options.Size; i++)
        {
            var id = i + 1;
            var memberDirectory = Path.Combine(directory, "s" + id.ToString(CultureInfo.InvariantCulture));
            var dataDirectory = Path.Combine(memberDirectory, "data");
            System.IO.Directory.CreateDirectory(dataDirectory);
            var config = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"tickTime={options.TickTime}")
                .AppendLine(CultureInfo.InvariantCulture, $"dataDir={dataDirectory}")
                .AppendLine(CultureInfo.InvariantCulture, $"clientPort={ports[3 * i]}")
                .AppendLine("clientPortAddress=127.0.0.1")
                .AppendLine("admin.enableServer=false")
                .AppendLine("4lw.commands.whitelist=*");
            if (options.Size > 1)
            {
                config.AppendLine(CultureInfo.InvariantCulture, $"initLimit={options.InitLimit}")
                    .AppendLine(CultureInfo.InvariantCulture, $"syncLimit={options.SyncLimit}");
                for (var peer = 0; peer < options.Size; peer++)
                {
                    config.AppendLine(CultureInfo.InvariantCulture, $"server.{peer + 1}=127.0.0.1:{ports[(3 * peer) + 1]}:{ports[(3 * peer) + 2]}");
                }

                await File.WriteAllTextAsync(Path.Combine(dataDirectory, "myid"), id.ToString(CultureInfo.InvariantCulture) + "\n", cancellationToken).ConfigureAwait(false);
            }

            foreach (var line in options.ExtraConfig)
            {
                config.AppendLine(line);
            }

            var configPath = Path.Combine(memberDirectory, "zoo.cfg");
            await File.WriteAllTextAsync(configPath, config.ToString(), cancellationToken).ConfigureAwait(false);
            members.Add(new EnsembleMember(kind, options, id, ports[3 * i], ports[(3 * i) + 1], ports[(3 * i) + 2], memberDirectory, dataDirectory, configPath));
        }

        return new ZooKeeperEnsemble(kind, options, directory, members);
    }

    /// <summary>
    /// Waits until every running, unpaused member serves (answers <c>srvr</c> with a Mode line) and
    /// exactly one of them leads; standalone, until the one server serves.
    /// </summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The leader (standalone: the server).</returns>
    /// <exception cref="TimeoutException">They did not, in time; the message has every member's mode and log.</exception>
    public async Task<EnsembleMember> WaitUntilServingAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var modes = new Dictionary<int, string?>();
        while (true)
        {
            foreach (var member in Members)
            {
                // A member that died by itself (not killed by the test) fails the wait at once.
                member.ThrowIfExited();
            }

            var live = Members.Where(m => m.IsRunning && !m.IsPaused).ToList();

            var answers = await Task.WhenAll(live.Select(m => m.ModeAsync(cancellationToken))).ConfigureAwait(false);
            modes = live.Zip(answers).ToDictionary(p => p.First.Id, p => p.Second);
            if (Members.Count > 1 && live.FirstOrDefault(m => modes[m.Id] == "standalone") is { } alone)
            {
                // Waiting would not help: a server given server.N lines that serves on its own is
                // a split brain, not an ensemble still electing.
                throw new InvalidOperationException($"server.{alone.Id} ({Kind}) serves standalone although its zoo.cfg lists {Members.Count} servers; modes: {Describe(modes)}\n{Logs}");
            }

            var leaders = live.Where(m => modes[m.Id] is "leader" or "standalone").ToList();
            if (live.Count > 0 && leaders.Count == 1 && modes.Values.All(mode => mode is not null))
            {
                return leaders[0];
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"The {Kind} ensemble did not serve with one leader within {timeout.TotalSeconds:0} s; modes: {Describe(modes)}\n{Logs}");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="member"/> serves in the given mode.</summary>
    /// <param name="member">The member.</param>
    /// <param name="mode">The srvr mode, e.g. <c>follower</c>.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    /// <exception cref="TimeoutException">It did not, in time.</exception>
    public async Task WaitForModeAsync(EnsembleMember member, string mode, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        var deadline = DateTime.UtcNow + timeout;
        string? last = null;
        while (true)
        {
            member.ThrowIfExited();
            last = await member.ModeAsync(cancellationToken).ConfigureAwait(false);
            if (last == mode)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"server.{member.Id} ({Kind}) did not serve as {mode} within {timeout.TotalSeconds:0} s (last mode: {last ?? "not serving"})\n{Logs}");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until no running, unpaused member serves (each says it is not serving, or refuses).</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    /// <exception cref="TimeoutException">One still served at the deadline.</exception>
    public async Task WaitUntilNotServingAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var live = Members.Where(m => m.IsRunning && !m.IsPaused).ToList();
            var answers = await Task.WhenAll(live.Select(m => m.ModeAsync(cancellationToken))).ConfigureAwait(false);
            if (answers.All(a => a is null))
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"The {Kind} ensemble still served within {timeout.TotalSeconds:0} s; modes: {Describe(live.Zip(answers).ToDictionary(p => p.First.Id, p => p.Second))}\n{Logs}");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills every process (SIGKILL) and removes the directories.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            await member.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temporary directory; a leftover is harmless.
        }
    }

    private static string Describe(Dictionary<int, string?> modes) =>
        string.Join(", ", modes.Select(p => $"server.{p.Key}={p.Value ?? "not serving"}"));

    private static int[] DistinctFreePorts(int count)
    {
        // Ports below the kernel's ephemeral range, as ZooKeeper's own tests assign them
        // (PortAssignment): a port handed out by bind(0) is also a candidate source port for every
        // outgoing connection on the machine, and one taken that way between this choice and the
        // server's bind fails the server's start with EADDRINUSE. Below the range only another
        // listener can take it; each candidate is checked free by binding it. Bounded attempts.
        var (low, high) = AssignablePortRange();
        var ports = new HashSet<int>();
        for (var attempt = 0; ports.Count < count && attempt < count * 100; attempt++)
        {
            var port = Random.Shared.Next(low, high + 1);
            if (!ports.Contains(port) && IsFree(port))
            {
                ports.Add(port);
            }
        }

        return ports.Count == count ? [.. ports] : throw new InvalidOperationException($"Could not find {count} distinct free ports in {low}–{high}.");
    }

    private static (int Low, int High) AssignablePortRange()
    {
        const int Low = 11000;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            var ephemeralLow = int.Parse(range[0], CultureInfo.InvariantCulture);
            return ephemeralLow - 1 - Low >= 1000 ? (Low, ephemeralLow - 1) : (Low, 29999);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux: Linux's default range starts at 32768, IANA's at 49152.
            return (Low, 29999);
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
