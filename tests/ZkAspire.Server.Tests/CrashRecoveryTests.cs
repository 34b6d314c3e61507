// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>
/// A real <c>zkaspire-server</c> with forceSync=yes, under concurrent writes from several clients,
/// killed with SIGKILL after a number of acknowledged writes drawn from a seed, and restarted on
/// the same data directory, several times: every acknowledged create, setData and multi is there
/// with its value and version; an unacknowledged one is there whole or not at all.
/// </summary>
/// <remarks>
/// Each znode's data is a function of its path and version (<see cref="Value"/>), so reading a
/// node back says which write it holds; a write is in flight on at most one znode at a time, so a
/// node's version after a crash is its acknowledged version or one more. Set <c>ZKASPIRE_SEED</c>
/// to replay a failure.
/// </remarks>
public sealed class CrashRecoveryTests
{
    private const int Workers = 4;
    private const int Window = 16;
    private const int Crashes = 4;
    private static readonly List<ACL> Open = [new ACL(Perms.All, new Id("world", "anyone"))];

    [Fact]
    public async Task EveryAcknowledgedWriteSurvivesSigkillsUnderConcurrentLoad()
    {
        var seed = Environment.GetEnvironmentVariable("ZKASPIRE_SEED") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : 20261125;
        var random = new Random(seed);

        // Small snapshots and preallocation blocks, so that kills land during snapshots, log
        // rolls and segment growth as well as between plain group commits.
        await using var server = RestartableZkAspireServer.Create(["forceSync=yes", "snapCount=200", "preAllocSize=64"]);
        var model = new Model();
        for (var crash = 0; crash < Crashes; crash++)
        {
            await server.StartAsync();
            if (crash > 0)
            {
                await VerifyAsync(server, model, seed);
            }

            var killAfter = random.Next(20, 400);
            var acknowledged = await RunUntilKilledAsync(server, model, crash, killAfter, random.Next());
            Assert.True(acknowledged >= killAfter, $"seed {seed}: only {acknowledged} of {killAfter} writes were acknowledged before the kill");
            TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed}, crash {crash}: killed after {acknowledged} acknowledged writes (aimed at {killAfter})");
        }

        await server.StartAsync();
        await VerifyAsync(server, model, seed);
        Assert.Contains("Loaded snapshot", server.LastRunLog, StringComparison.Ordinal);
        Assert.True(model.AcknowledgedCount > Crashes * 20, $"seed {seed}: {model.AcknowledgedCount} acknowledged writes");
    }

    /// <summary>The data of a znode at a version: 100 bytes that name both.</summary>
    private static byte[] Value(string path, int version)
    {
        var bytes = new byte[100];
        bytes.AsSpan().Fill((byte)'.');
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{path}@{version}"), bytes);
        return bytes;
    }

    private static async Task<int> RunUntilKilledAsync(RestartableZkAspireServer server, Model model, int crash, int killAfter, int seed)
    {
        var acks = 0;
        var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = new CancellationTokenSource();
        var workers = new List<Task>();
        for (var w = 0; w < Workers; w++)
        {
            var connection = await RawZooKeeperConnection.ConnectAsync(server.Port);
            var worker = new Worker(connection, model, string.Create(CultureInfo.InvariantCulture, $"{crash}-{w}"), new Random(seed + w), () =>
            {
                if (Interlocked.Increment(ref acks) == killAfter)
                {
                    killNow.TrySetResult();
                }
            });
            workers.Add(worker.RunAsync(stop.Token));
        }

        // A worker that fails before the kill (an unexpected error code) ends the wait.
        var first = await Task.WhenAny(killNow.Task, Task.WhenAny(workers)).WaitAsync(TimeSpan.FromSeconds(60));
        await server.KillAsync();
        var atKill = Volatile.Read(ref acks);
        await stop.CancelAsync();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Same(killNow.Task, first);
        return atKill;
    }

    private static async Task VerifyAsync(RestartableZkAspireServer server, Model model, int seed)
    {
        await using var reader = await RawZooKeeperConnection.ConnectAsync(server.Port);
        var nodes = model.Nodes;
        var xids = new int[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            xids[i] = await reader.SendAsync(OpCode.GetData, new GetDataRequest(nodes[i].Path, false));
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var reply = await reader.ReceiveReplyAsync(xids[i]);
            if (reply.Error == KeeperErrorCode.NoNode)
            {
                Assert.True(node.Version < 0, $"seed {seed}: {node.Path} was acknowledged at version {node.Version} and is gone after the crash");
                node.Exists = false;
                continue;
            }

            Assert.Equal(KeeperErrorCode.Ok, reply.Error);
            var data = reply.Read<GetDataResponse>();
            var version = data.Stat.Version;
            Assert.True(
                version == Math.Max(node.Version, 0) || (node.InFlight && version == node.Version + 1),
                $"seed {seed}: {node.Path} is at version {version}; acknowledged {node.Version}, a write in flight: {node.InFlight}");
            Assert.True(Value(node.Path, version).AsSpan().SequenceEqual(data.Data), $"seed {seed}: {node.Path} at version {version} holds the data of another write");
            node.Exists = true;
            node.Version = version;
        }

        // A multi is all or nothing.
        foreach (var (a, b) in model.Pairs)
        {
            Assert.True(a.Exists == b.Exists, $"seed {seed}: the multi that created {a.Path} and {b.Path} is half applied");
        }

        model.Settle();
    }

    /// <summary>What the clients know: each znode's acknowledged version, and whether a write to it was in flight at the crash.</summary>
    private sealed class Model
    {
        private readonly object _gate = new();
        private readonly List<Node> _nodes = [];
        private readonly List<(Node A, Node B)> _pairs = [];

        public int AcknowledgedCount { get; private set; }

        public List<Node> Nodes
        {
            get
            {
                lock (_gate)
                {
                    return [.. _nodes];
                }
            }
        }

        public List<(Node A, Node B)> Pairs
        {
            get
            {
                lock (_gate)
                {
                    return [.. _pairs];
                }
            }
        }

        public Node Add(string path)
        {
            var node = new Node(path) { InFlight = true };
            lock (_gate)
            {
                _nodes.Add(node);
            }

            return node;
        }

        /// <summary>Picks one of a worker's znodes with an acknowledged create and no write in flight, and marks a setData in flight.</summary>
        public Node? TryStartSetData(List<Node> mine, Random random)
        {
            lock (_gate)
            {
                var idle = mine.Where(n => !n.InFlight && n.Version >= 0).ToList();
                if (idle.Count == 0)
                {
                    return null;
                }

                var node = idle[random.Next(idle.Count)];
                node.InFlight = true;
                node.PendingVersion = node.Version + 1;
                return node;
            }
        }

        public void AddPair(Node a, Node b)
        {
            lock (_gate)
            {
                _pairs.Add((a, b));
            }
        }

        public void Acknowledged(params Node[] nodes)
        {
            lock (_gate)
            {
                foreach (var node in nodes)
                {
                    node.Version = node.PendingVersion;
                    node.InFlight = false;
                }

                AcknowledgedCount++;
            }
        }

        /// <summary>After a verification: what the server holds is the new truth; nodes that never came to be are dropped.</summary>
        public void Settle()
        {
            lock (_gate)
            {
                _nodes.RemoveAll(n => !n.Exists);
                _pairs.RemoveAll(p => !p.A.Exists);
                foreach (var node in _nodes)
                {
                    node.InFlight = false;
                }
            }
        }
    }

    private sealed class Node(string path)
    {
        public string Path { get; } = path;

        /// <summary>Gets or sets the acknowledged version; −1 until the create is acknowledged.</summary>
        public int Version { get; set; } = -1;

        /// <summary>Gets or sets the version the write in flight makes.</summary>
        public int PendingVersion { get; set; }

        public bool InFlight { get; set; }

        public bool Exists { get; set; }
    }

    /// <summary>One client: creates, conditional setData and two-create multis, pipelined, on znodes of its own.</summary>
    private sealed class Worker(RawZooKeeperConnection connection, Model model, string name, Random random, Action acknowledged)
    {
        private readonly Dictionary<int, Node[]> _pending = [];
        private readonly List<Node> _mine = [];
        private readonly SemaphoreSlim _window = new(Window, Window);
        private int _next;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await using var _ = connection;
            var receiver = Task.Run(ReceiveAsync, CancellationToken.None);
            try
            {
                while (!cancellationToken.IsCancellationRequested && !receiver.IsCompleted)
                {
                    await _window.WaitAsync(cancellationToken);
                    var (type, body, nodes) = NextWrite();
                    var xid = connection.NextXid();
                    lock (_pending)
                    {
                        _pending[xid] = nodes;
                    }

                    await connection.SendAsync(new RequestHeader(xid, (int)type), body, CancellationToken.None);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // The server was killed, or the test is over.
            }

            // The receiver ends when the connection does; an error reply fails the test.
            await receiver;
        }

        private (OpCode Type, IJuteRecord Body, Node[] Nodes) NextWrite()
        {
            var roll = random.Next(100);
            if (roll < 40 && model.TryStartSetData(_mine, random) is { } node)
            {
                // A conditional setData: the version it makes is known, so is its data.
                return (OpCode.SetData, new SetDataRequest(node.Path, Value(node.Path, node.PendingVersion), node.PendingVersion - 1), [node]);
            }

            var n = _next++;
            if (roll < 55)
            {
                var a = model.Add(string.Create(CultureInfo.InvariantCulture, $"/m{name}-{n}-a"));
                var b = model.Add(string.Create(CultureInfo.InvariantCulture, $"/m{name}-{n}-b"));
                model.AddPair(a, b);
                return (OpCode.Multi, new MultiRequest(
                [
                    new MultiOp(OpCode.Create, new CreateRequest(a.Path, Value(a.Path, 0), Open, 0)),
                    new MultiOp(OpCode.Create, new CreateRequest(b.Path, Value(b.Path, 0), Open, 0)),
                ]), [a, b]);
            }

            var created = model.Add(string.Create(CultureInfo.InvariantCulture, $"/c{name}-{n}"));
            _mine.Add(created);
            return (OpCode.Create, new CreateRequest(created.Path, Value(created.Path, 0), Open, 0), [created]);
        }

        private async Task ReceiveAsync()
        {
            while (true)
            {
                RawFrame? frame;
                try
                {
                    frame = await connection.ReceiveAsync();
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException or TimeoutException)
                {
                    return;
                }

                if (frame is null)
                {
                    return;
                }

                Node[] nodes;
                lock (_pending)
                {
                    if (!_pending.Remove(frame.Header.Xid, out nodes!))
                    {
                        continue;
                    }
                }

                Assert.True(frame.Error == KeeperErrorCode.Ok, $"{string.Join(", ", nodes.Select(n => n.Path))}: {frame.Error}");
                model.Acknowledged(nodes);
                acknowledged();
                _window.Release();
            }
        }
    }
}
