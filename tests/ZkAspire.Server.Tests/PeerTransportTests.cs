// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Server.Quorum;
using ZkAspire.Server.Tests.Infrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>The peer links: handshake checks, bad frames closing one link only, bounded send queues.</summary>
public sealed class PeerTransportTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BothPortsOfTheServerLineAreBoundAndTheHandshakeRejectsStrangers()
    {
        await using var ensemble = await TestEnsemble.StartAsync();
        var leader = await ensemble.WaitForLeaderAsync();
        var (quorumPort, electionPort) = leader.PeerPorts;
        Assert.NotEqual(0, quorumPort);
        Assert.NotEqual(0, electionPort);

        // A server id that is not in the ensemble, this server's own id, and a wrong magic or
        // version: the connection is closed without an answer.
        foreach (var port in new[] { quorumPort, electionPort })
        {
            Assert.Equal(0, await HandshakeAsync(port, Handshake(99)));
            Assert.Equal(0, await HandshakeAsync(port, Handshake(leader.Options.ServerId)));
        }

        var badMagic = Handshake(2);
        badMagic[0] = (byte)'X';
        Assert.Equal(0, await HandshakeAsync(quorumPort, badMagic));
        var badVersion = Handshake(2);
        badVersion[4] = 99;
        Assert.Equal(0, await HandshakeAsync(quorumPort, badVersion));

        // The ensemble never noticed.
        Assert.Same(leader, await ensemble.WaitForLeaderAsync());
    }

    [Fact]
    public async Task AGarbageOrOversizedFrameClosesOnlyThatLink()
    {
        // server.4 is an observer that never runs: its id is a member's, so its handshake passes.
        await using var ensemble = await TestEnsemble.StartAsync(count: 4, observers: 1);
        await ensemble.WaitForLeaderAsync();
        await ensemble.Servers[3].StopAsync(Token);
        var target = ensemble.Servers[0];

        foreach (var frame in new[] { Frame([0xFF, 0x01, 0x02]), Frame([1, 250, 0, 0]), TooLarge() })
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, target.PeerPorts.QuorumPort, Token);
            await socket.SendAsync(Handshake(4), SocketFlags.None, Token);
            var answer = new byte[PeerTransport.HandshakeSize];
            await socket.ReceiveExactlyAsync(answer, Token);
            Assert.Equal(target.Options.ServerId, BinaryPrimitives.ReadInt64BigEndian(answer.AsSpan(5)));
            await socket.SendAsync(frame, SocketFlags.None, Token);
            Assert.True(await ClosedByPeerAsync(socket), "the link with a bad frame stays open");
        }

        // The other links are untouched: the three participants still serve and write.
        await ensemble.WaitForLeaderAsync();
        await using var client = await EnsembleTests.ConnectAsync(target, ensemble.ConnectionString);
        await client.CreateAsync("/still-fine", [1], cancellationToken: Token);
    }

    [Fact]
    public async Task WithAQuorumSecretOnlyServersThatProveItJoin()
    {
        var secret = "0123456789abcdef-ensemble"u8.ToArray();
        await using var ensemble = await TestEnsemble.StartAsync(count: 4, observers: 1, configure: o => o.QuorumSecret = secret);
        await ensemble.WaitForLeaderAsync();
        await ensemble.Servers[3].StopAsync(Token);
        var port = ensemble.Servers[0].PeerPorts.QuorumPort;

        // A member's id without the secret: refused before anything is said.
        Assert.Equal(0, await HandshakeAsync(port, Handshake(4)));

        // Claiming to have it: the server proves itself, then hears a wrong proof and hangs up.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, Token);
            var hello = Handshake(4, authenticated: true);
            await socket.SendAsync(hello, SocketFlags.None, Token);
            var answer = new byte[PeerTransport.HandshakeSize + PeerTransport.ProofSize];
            await socket.ReceiveExactlyAsync(answer, Token);
            Assert.Equal(PeerTransport.Proof(secret, "accept", hello, answer.AsSpan(0, PeerTransport.HandshakeSize)), answer[PeerTransport.HandshakeSize..]);
            await socket.SendAsync(new byte[PeerTransport.ProofSize], SocketFlags.None, Token);
            Assert.True(await ClosedByPeerAsync(socket));
        }

        // With the secret, a link is taken (and then dropped here for a garbage frame).
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, Token);
            var hello = Handshake(4, authenticated: true);
            await socket.SendAsync(hello, SocketFlags.None, Token);
            var answer = new byte[PeerTransport.HandshakeSize + PeerTransport.ProofSize];
            await socket.ReceiveExactlyAsync(answer, Token);
            await socket.SendAsync(PeerTransport.Proof(secret, "dial", hello, answer.AsSpan(0, PeerTransport.HandshakeSize)), SocketFlags.None, Token);
            await socket.SendAsync(Frame([0xFF]), SocketFlags.None, Token);
            Assert.True(await ClosedByPeerAsync(socket));
        }

        // The members, which share the secret, serve; sessions resume across them.
        var leader = await ensemble.WaitForLeaderAsync();
        await using var client = await EnsembleTests.ConnectAsync(leader, ensemble.ConnectionString);
        await client.CreateAsync("/authenticated", [1], cancellationToken: Token);
    }

    [Fact]
    public async Task AFullSendQueueRefusesMoreButAlwaysTakesOneFrame()
    {
        var (client, accepted) = await ConnectedSocketsAsync();
        using var clientSocket = client;
        using var acceptedSocket = accepted;

        // Not started: nothing drains the queue, as with a peer that does not read.
        var link = new PeerLink(accepted, 2, 2, 1024, NullLogger.Instance);
        Assert.True(link.Enqueue(new byte[5000], limit: 1000));
        Assert.False(link.Enqueue(new byte[10], limit: 1000));
        link.Close("test");
        Assert.True(link.IsClosed);
    }

    [Fact]
    public async Task AMessageTheFullQueueRefusesLeavesNoBytesBehindInTheLinksOutput()
    {
        var (client, accepted) = await ConnectedSocketsAsync();

        // Messages are encoded straight into the link's output buffer; one over the limit is
        // encoded, then taken back out. What follows it must arrive as if it had never been there.
        var sender = new PeerLink(client, 2, 1, 1024 * 1024, NullLogger.Instance);
        Assert.True(sender.Enqueue(new Consensus.Proposal(1, 0, 1, new byte[100]), limit: 1000));
        Assert.False(sender.Enqueue(new Consensus.Proposal(1, 1, 2, new byte[5000]), limit: 1000));
        Assert.True(sender.Enqueue(new Consensus.Commit(1, 1), limit: 1000));

        var received = System.Threading.Channels.Channel.CreateUnbounded<Consensus.PeerMessage>();
        var receiver = new PeerLink(accepted, 1, 1, 1024 * 1024, NullLogger.Instance);
        receiver.Start((_, message) => received.Writer.TryWrite(message), _ => received.Writer.TryComplete());
        sender.Start((_, _) => { }, _ => { });
        sender.Flush(sendNow: false);
        Assert.Equal(new Consensus.Proposal(1, 0, 1, new byte[100]).ToString(), (await NextAsync()).ToString());
        Assert.Equal(new Consensus.Commit(1, 1), await NextAsync());

        // A message after them shows that nothing of the refused one was left in between: its
        // bytes would arrive as a malformed frame and close the receiving link.
        Assert.True(sender.Enqueue(new Consensus.Ack(1, 1), limit: 1000));
        sender.Flush(sendNow: false);
        Assert.Equal(new Consensus.Ack(1, 1), await NextAsync());
        Assert.False(receiver.IsClosed);

        sender.Close("test");
        receiver.Close("test");
        await Task.WhenAll(sender.Completion, receiver.Completion).WaitAsync(TimeSpan.FromSeconds(30), Token);

        async Task<Consensus.PeerMessage> NextAsync() =>
            await received.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Token);
    }

    [Fact]
    public async Task FramesQueuedOnAStartedLinkLeaveAtTheFlushInlineOrOnThePoolAndInOrder()
    {
        var (client, accepted) = await ConnectedSocketsAsync();

        const int rounds = 50;
        var received = new List<long>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sender = new PeerLink(client, 2, 1, 1024 * 1024, NullLogger.Instance);
        var receiver = new PeerLink(accepted, 1, 1, 1024 * 1024, NullLogger.Instance);
        receiver.Start(
            (_, message) =>
            {
                lock (received)
                {
                    received.Add(Assert.IsType<Consensus.Proposal>(message).Zxid);
                    if (received.Count == rounds * 3)
                    {
                        all.TrySetResult();
                    }
                }
            },
            _ => all.TrySetResult());
        sender.Start((_, _) => { }, _ => { });

        // As the event loop does: a batch's frames are queued, then flushed at its end, from the
        // calling thread after a short batch and through the pool after a long one. Every round's
        // flush may find the writer idle, still sending, or not yet started: each frame must
        // arrive once, in order, whichever it was.
        var zxid = 0L;
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < 3; i++)
            {
                zxid++;
                Assert.True(sender.Enqueue(Encode(new Consensus.Proposal(1, zxid - 1, zxid, new byte[(round * 37) % 3000])), long.MaxValue));
            }

            sender.Flush(sendNow: round % 2 == 0);
        }

        await all.Task.WaitAsync(TimeSpan.FromSeconds(30), Token);
        sender.Close("test");
        receiver.Close("test");
        await Task.WhenAll(sender.Completion, receiver.Completion).WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.Equal(Enumerable.Range(1, rounds * 3).Select(i => (long)i), received);
    }

    [Fact]
    public async Task FramesOfEverySizeArriveWholeAndInOrderThroughBufferedReadsAndBatchedSends()
    {
        var (client, accepted) = await ConnectedSocketsAsync();

        // Sizes around the reader's 64 KiB buffer and far beyond it (a snapshot), between many
        // small frames, all queued before the writer starts so that they leave in one send.
        var sizes = new List<int>();
        for (var i = 0; i < 600; i++)
        {
            sizes.Add(i % 97 == 0 ? (64 * 1024) - 60 + (i % 7) : i % 211 == 0 ? 300_000 + i : i % 50);
        }

        const int count = 600;
        var received = new List<Consensus.Proposal>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sender = new PeerLink(client, 2, 1, 1024 * 1024, NullLogger.Instance);
        var receiver = new PeerLink(accepted, 1, 1, 1024 * 1024, NullLogger.Instance);
        for (var i = 0; i < count; i++)
        {
            var data = new byte[sizes[i]];
            data.AsSpan().Fill((byte)i);
            Assert.True(sender.Enqueue(Encode(new Consensus.Proposal(1, i - 1, i, data)), long.MaxValue));
        }

        receiver.Start(
            (_, message) =>
            {
                lock (received)
                {
                    received.Add(Assert.IsType<Consensus.Proposal>(message));
                    if (received.Count == count)
                    {
                        all.TrySetResult();
                    }
                }
            },
            _ => all.TrySetResult());
        sender.Start((_, _) => { }, _ => { });
        await all.Task.WaitAsync(TimeSpan.FromSeconds(30), Token);
        sender.Close("test");
        receiver.Close("test");

        Assert.Equal(count, received.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(i, received[i].Zxid);
            Assert.Equal(sizes[i], received[i].Data.Length);
            Assert.True(received[i].Data.Span.IndexOfAnyExcept((byte)i) < 0, $"frame {i} arrived damaged");
        }
    }

    [Fact]
    public async Task AReplacedLinkIsReportedClosedBeforeAnythingReadOnItsReplacement()
    {
        // Server 1 (played by the test) dials server 2 again and again, as a peer does after a
        // link breaks or when both sides dial at once. Each new link replaces the one before; the
        // replica must hear the old one close before any message read on the new one, or the
        // close would undo what the peer did on the new link (a learner's FOLLOWERINFO).
        var events = new List<(string Kind, PeerLink Link)>();
        var messages = System.Threading.Channels.Channel.CreateUnbounded<PeerLink>();
        var members = new[]
        {
            new EnsembleMember(1, "127.0.0.1", ZkAspire.TestInfrastructure.FreePort.Get(), ZkAspire.TestInfrastructure.FreePort.Get(), Consensus.LearnerType.Participant, null, null),
            new EnsembleMember(2, "127.0.0.1", 0, 0, Consensus.LearnerType.Participant, null, null),
        };
        await using var transport = new PeerTransport(
            2,
            members,
            new ZooKeeperServerOptions(),
            NullLogger.Instance,
            TimeProvider.System,
            (link, _) =>
            {
                lock (events)
                {
                    events.Add(("message", link));
                }

                messages.Writer.TryWrite(link);
            },
            link =>
            {
                lock (events)
                {
                    events.Add(("closed", link));
                }
            });
        transport.Start();

        var sockets = new List<Socket>();
        try
        {
            PeerLink? previous = null;
            for (var round = 0; round < 8; round++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, transport.BoundPorts.QuorumPort, Token);
                await socket.SendAsync(Handshake(1), SocketFlags.None, Token);
                var answer = new byte[PeerTransport.HandshakeSize];
                await socket.ReceiveExactlyAsync(answer, Token);
                await socket.SendAsync(Encode(new Consensus.Proposal(1, round, round + 1, new byte[] { 1 })), SocketFlags.None, Token);

                var link = await messages.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
                if (previous is not null)
                {
                    lock (events)
                    {
                        var closedAt = events.FindIndex(e => e.Kind == "closed" && ReferenceEquals(e.Link, previous));
                        var firstMessageAt = events.FindIndex(e => e.Kind == "message" && ReferenceEquals(e.Link, link));
                        Assert.True(closedAt >= 0 && closedAt < firstMessageAt, $"round {round}: the replaced link's close was reported at {closedAt}, the new link's first message at {firstMessageAt}");
                        Assert.Single(events, e => e.Kind == "closed" && ReferenceEquals(e.Link, previous));
                    }
                }

                Assert.NotSame(previous, link);
                Assert.True(transport.IsCurrent(link));
                previous = link;
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    // Two ends of a loopback connection, for a pair of links (the links own and close them).
    private static async Task<(Socket Client, Socket Accepted)> ConnectedSocketsAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndPoint!, Token);
        return (client, await listener.AcceptAsync(Token));
    }

    private static byte[] Encode(Consensus.PeerMessage message)
    {
        using var writer = new Protocol.JuteWriter(256);
        writer.WriteInt(0);
        Consensus.PeerMessageCodec.Write(message, writer);
        var frame = writer.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        return frame;
    }

    private static byte[] Handshake(long serverId, bool authenticated = false)
    {
        var bytes = new byte[PeerTransport.HandshakeSize];
        PeerTransport.WriteHandshake(bytes, serverId, authenticated);
        return bytes;
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }

    private static byte[] TooLarge()
    {
        var frame = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(frame, int.MaxValue);
        return frame;
    }

    // Sends a handshake and returns how many bytes come back before the server closes (0: refused).
    private static async Task<int> HandshakeAsync(int port, byte[] handshake)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, Token);
        await socket.SendAsync(handshake, SocketFlags.None, Token);
        var buffer = new byte[64];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var total = 0;
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (SocketException)
            {
                return total;
            }

            if (read == 0)
            {
                return total;
            }

            total += read;
        }
    }

    private static async Task<bool> ClosedByPeerAsync(Socket socket)
    {
        // Whatever the server had queued for the link may arrive first; the end is a close.
        var buffer = new byte[64 * 1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
