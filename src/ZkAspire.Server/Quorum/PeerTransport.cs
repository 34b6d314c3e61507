// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ZkAspire.Protocol;
using ZkAspire.Server.Consensus;

namespace ZkAspire.Server.Quorum;

/// <summary>
/// The links between the servers of an ensemble: one TCP connection per pair of servers, carrying
/// election notifications and leader–learner messages alike (order matters only per pair,
/// docs/design/replication.md "Peer transport"). Both of a server's ports (zoo.cfg's quorum and
/// election ports) are bound and accept links; a server dials the quorum port of each peer it has
/// no link to, with exponential backoff and jitter.
/// </summary>
/// <remarks>
/// <para>
/// Each link opens with a handshake in both directions: a magic number, the peer protocol version
/// (<see cref="PeerMessageCodec.Version"/>) and the sender's server id, which must be a configured
/// member and, for a dialed link, the one dialed. When two links to the same peer exist (both
/// dialed at once, or a peer restarted), the one dialed by the higher server id is kept, and the
/// newer of two dialed by the same side (ZooKeeper's QuorumCnxManager rule); the one dropped is
/// reported closed, and the protocol recovers what it held.
/// </para>
/// <para>
/// Frames are a 4-byte big-endian length and a <see cref="PeerMessageCodec"/> message; a frame
/// larger than <see cref="ZooKeeperServerOptions.PeerMaxFrameBytes"/>, or one that does not decode,
/// closes that link only. Each link's send queue is bounded by
/// <see cref="ZooKeeperServerOptions.PeerSendQueueBytes"/>: a peer that does not read is dropped
/// rather than allowed to grow this server's memory.
/// </para>
/// <para>
/// With a quorum secret (<see cref="ZooKeeperServerOptions.QuorumSecret"/>, zoo.cfg's
/// <c>zkaspire.quorumSecretFile</c>) both sides prove it after the handshake: an HMAC-SHA256 over
/// both handshakes (ids and random nonces), the acceptor's first, so that a stranger can neither
/// join nor impersonate a member, nor learn a proof it could replay. Without one, a link proves
/// only that its id is configured; the peer ports must then be reachable by the ensemble only, as
/// ZooKeeper's are without SASL.
/// </para>
/// </remarks>
internal sealed class PeerTransport : IAsyncDisposable
{
    /// <summary>The first bytes of every handshake ("ZKAP").</summary>
    internal const uint HandshakeMagic = 0x5A4B_4150;

    /// <summary>The handshake's size: magic, version, server id, flags, nonce.</summary>
    internal const int HandshakeSize = 30;

    /// <summary>The size of an authentication proof (HMAC-SHA256).</summary>
    internal const int ProofSize = 32;

    private const byte FlagAuthenticated = 1;
    private const int NonceSize = 16;

    private const int MinBackoffMs = 25;
    private const int MaxBackoffMs = 1000;

    private readonly long _myId;
    private readonly Dictionary<long, EnsembleMember> _members;
    private readonly ZooKeeperServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<PeerLink, PeerMessage> _onMessage;
    private readonly Action<PeerLink> _onClosed;
    private readonly ConcurrentDictionary<long, PeerLink> _links = new();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _wakeDialers = new();
    private readonly Dictionary<long, byte[]> _unsentNotifications = [];
    private readonly object _gate = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _tasks = [];
    private readonly List<PeerLink> _dirty = [];
    private readonly List<PeerLink> _flushing = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Creates the transport; <see cref="Start"/> binds and dials.</summary>
    /// <param name="myId">This server's id.</param>
    /// <param name="members">The ensemble, this server included.</param>
    /// <param name="options">The limits.</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="time">The clock for backoff.</param>
    /// <param name="onMessage">Gets each message with its link (reader threads).</param>
    /// <param name="onClosed">Gets each established link once, when it closes or is replaced by a newer link (any thread; a replaced link before anything is read on its replacement).</param>
    public PeerTransport(
        long myId,
        IReadOnlyList<EnsembleMember> members,
        ZooKeeperServerOptions options,
        ILogger logger,
        TimeProvider time,
        Action<PeerLink, PeerMessage> onMessage,
        Action<PeerLink> onClosed)
    {
        _myId = myId;
        _members = members.ToDictionary(m => m.Id);
        _options = options;
        _logger = logger;
        _time = time;
        _onMessage = onMessage;
        _onClosed = onClosed;
    }

    /// <summary>Gets the number of links up.</summary>
    public int LinkCount => _links.Count;

    /// <summary>Gets the ports bound (quorum, election).</summary>
    public (int QuorumPort, int ElectionPort) BoundPorts { get; private set; }

    /// <summary>Binds this server's quorum and election ports and starts accepting and dialing.</summary>
    /// <exception cref="SocketException">A port cannot be bound.</exception>
    public void Start()
    {
        var me = _members[_myId];
        var address = ResolveBindAddress(me.Host);
        var ports = new int[2];
        var i = 0;
        foreach (var port in new[] { me.QuorumPort, me.ElectionPort })
        {
            var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.Bind(new IPEndPoint(address, port));
                listener.Listen(64);
            }
            catch
            {
                listener.Dispose();
                foreach (var bound in _listeners)
                {
                    bound.Dispose();
                }

                throw;
            }

            ports[i++] = ((IPEndPoint)listener.LocalEndPoint!).Port;
            _listeners.Add(listener);
        }

        BoundPorts = (ports[0], ports[1]);
        foreach (var listener in _listeners)
        {
            _tasks.Add(Task.Run(() => AcceptAsync(listener, _stop.Token)));
        }

        foreach (var member in _members.Values)
        {
            if (member.Id != _myId)
            {
                var wake = new SemaphoreSlim(0);
                _wakeDialers[member.Id] = wake;
                _tasks.Add(Task.Run(() => DialAsync(member, wake, _stop.Token)));
            }
        }
    }

    /// <summary>Gets whether a link is the one in use for its peer (messages of a replaced link are dropped).</summary>
    /// <param name="link">The link.</param>
    /// <returns><see langword="true"/> if current.</returns>
    public bool IsCurrent(PeerLink link) => _links.TryGetValue(link.PeerId, out var current) && ReferenceEquals(current, link) && !link.IsClosed;

    /// <summary>
    /// Queues a message to a peer (the event loop); it goes out at the next <see cref="Flush"/>,
    /// which the loop calls at the end of each batch. Without a link, an election notification is
    /// kept, the latest one per peer, and sent first when a link comes up; anything else is dropped.
    /// </summary>
    /// <param name="to">The peer.</param>
    /// <param name="message">The message.</param>
    // ZooKeeper's QuorumCnxManager keeps the election messages for a server it has no connection
    // to (queueSendMap, SEND_CAPACITY 1: the latest) and sends them once connected. Dropping
    // them made every cold start wait for the first resend (MinNotificationIntervalMs, 50 ms):
    // the servers vote before their links are up. Zab's own messages are never kept: they belong
    // to a link, and a new link starts a new registration.
    public void Send(long to, PeerMessage message)
    {
        if (!_links.TryGetValue(to, out var link) && message is not Notification)
        {
            return;
        }

        if (link is null)
        {
            // Rare (no link yet): the notification is encoded into an array of its own and kept.
            using var writer = new JuteWriter(256);
            var mark = writer.BeginFrame();
            PeerMessageCodec.Write(message, writer);
            writer.EndFrame(mark);
            var frame = writer.ToArray();
            lock (_gate)
            {
                // Under the gate, as Install takes the kept notification: one installed meanwhile gets it now.
                if (!_links.TryGetValue(to, out link))
                {
                    _unsentNotifications[to] = frame;
                    return;
                }
            }
        }

        if (!link.Enqueue(message, _options.PeerSendQueueBytes))
        {
            _logger.LogWarning("Dropping the link to server {Peer}: more than {Limit} bytes wait to be sent (zkaspire.peerSendQueueBytes); it resyncs when it reads again", to, _options.PeerSendQueueBytes);
            link.Close("the send queue is full");
            return;
        }

        lock (_dirty)
        {
            if (!_dirty.Contains(link))
            {
                _dirty.Add(link);
            }
        }
    }

    /// <summary>
    /// Sends what <see cref="Send"/> queued since the last flush (the event loop, at the end of a
    /// batch): everything queued for one peer in a batch leaves in one send.
    /// </summary>
    /// <param name="sendNow">
    /// Whether to send from the calling thread (the loop does, after every batch; a send that would
    /// block pends and resumes on the pool) rather than wake a pool worker per link.
    /// </param>
    public void Flush(bool sendNow)
    {
        lock (_dirty)
        {
            if (_dirty.Count == 0)
            {
                return;
            }

            _flushing.AddRange(_dirty);
            _dirty.Clear();
        }

        // Outside the lock: an inline send runs the link's writer on this thread.
        foreach (var link in _flushing)
        {
            link.Flush(sendNow);
        }

        _flushing.Clear();
    }

    /// <summary>Closes every link and stops accepting and dialing.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        foreach (var link in _links.Values)
        {
            link.Close("the server is stopping");
        }

        foreach (var wake in _wakeDialers.Values)
        {
            wake.Release();
        }

        try
        {
            await Task.WhenAll(_tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var link in _links.Values)
        {
            await link.Completion.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>Writes a handshake: magic, version, server id, flags (1: this server has a quorum secret), a random nonce.</summary>
    /// <param name="destination"><see cref="HandshakeSize"/> bytes.</param>
    /// <param name="serverId">The sender.</param>
    /// <param name="authenticated">Whether the sender has a quorum secret and will prove it.</param>
    internal static void WriteHandshake(Span<byte> destination, long serverId, bool authenticated = false)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, HandshakeMagic);
        destination[4] = PeerMessageCodec.Version;
        BinaryPrimitives.WriteInt64BigEndian(destination[5..], serverId);
        destination[13] = authenticated ? FlagAuthenticated : (byte)0;
        RandomNumberGenerator.Fill(destination.Slice(14, NonceSize));
    }

    /// <summary>
    /// The proof of one side: HMAC-SHA256 under the quorum secret over the role, both server ids
    /// and both nonces, so that a recorded proof is worthless on another link or in the other role.
    /// </summary>
    /// <param name="secret">The quorum secret.</param>
    /// <param name="role">"dial" or "accept": who proves.</param>
    /// <param name="dialHandshake">The dialer's handshake.</param>
    /// <param name="acceptHandshake">The acceptor's handshake.</param>
    /// <returns>The proof.</returns>
    internal static byte[] Proof(byte[] secret, string role, ReadOnlySpan<byte> dialHandshake, ReadOnlySpan<byte> acceptHandshake)
    {
        var data = new byte[role.Length + (2 * HandshakeSize)];
        System.Text.Encoding.ASCII.GetBytes(role, data);
        dialHandshake.CopyTo(data.AsSpan(role.Length));
        acceptHandshake.CopyTo(data.AsSpan(role.Length + HandshakeSize));
        return HMACSHA256.HashData(secret, data);
    }

    private static IPAddress ResolveBindAddress(string host)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        // ZooKeeper binds the address of its own server line (quorumListenOnAllIPs=false).
        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
    }

    private async Task AcceptAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning(e, "Accepting a peer connection failed");
                await Task.Delay(TimeSpan.FromMilliseconds(10), _time, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            _ = Task.Run(() => HandshakeIncomingAsync(socket, cancellationToken), CancellationToken.None);
        }
    }

    private async Task HandshakeIncomingAsync(Socket socket, CancellationToken cancellationToken)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        long peer;
        try
        {
            socket.NoDelay = true;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(_options.PeerConnectTimeoutMs));
            var dial = new byte[HandshakeSize];
            await socket.ReceiveExactlyAsync(dial, timeout.Token).ConfigureAwait(false);
            peer = ReadHandshake(dial);
            if (!_members.ContainsKey(peer) || peer == _myId)
            {
                throw new InvalidDataException($"server id {peer} is not another member of this ensemble");
            }

            CheckAuthenticationAgrees(dial);
            var accept = new byte[HandshakeSize];
            WriteHandshake(accept, _myId, Secret is not null);
            await socket.SendAsync(accept, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (Secret is { } secret)
            {
                // The acceptor proves itself first (the dialer may be the stranger); then the
                // dialer proves that it holds the secret and is who it says.
                await socket.SendAsync(Proof(secret, "accept", dial, accept), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                var proof = new byte[ProofSize];
                await socket.ReceiveExactlyAsync(proof, timeout.Token).ConfigureAwait(false);
                if (!CryptographicOperations.FixedTimeEquals(proof, Proof(secret, "dial", dial, accept)))
                {
                    throw new InvalidDataException($"server {peer} did not prove the quorum secret");
                }
            }
        }
        catch (Exception e) when (e is SocketException or InvalidDataException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
            _logger.LogWarning("Refused a peer connection from {Remote}: {Reason}", remote, e is OperationCanceledException ? "no handshake in time (cnxTimeout)" : e.Message);
            socket.Dispose();
            return;
        }

        Install(new PeerLink(socket, peer, initiator: peer, _options.PeerMaxFrameBytes, _logger));
    }

    private async Task DialAsync(EnsembleMember member, SemaphoreSlim wake, CancellationToken cancellationToken)
    {
        var backoff = MinBackoffMs;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_links.TryGetValue(member.Id, out var existing))
            {
                // Wait for the link to close (or to be told to stop), then dial soon.
                await Task.WhenAny(existing.Completion, wake.WaitAsync(cancellationToken)).ConfigureAwait(false);
                backoff = MinBackoffMs;
                continue;
            }

            if (await TryDialAsync(member, cancellationToken).ConfigureAwait(false))
            {
                backoff = MinBackoffMs;
                continue;
            }

            // Exponential backoff with jitter, so that restarted servers do not dial in lockstep.
            var delay = (backoff / 2) + Random.Shared.Next(backoff / 2 + 1);
            backoff = Math.Min(backoff * 2, MaxBackoffMs);
            try
            {
                await wake.WaitAsync(TimeSpan.FromMilliseconds(delay), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> TryDialAsync(EnsembleMember member, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(_options.PeerConnectTimeoutMs));
            await socket.ConnectAsync(member.Host, member.QuorumPort, timeout.Token).ConfigureAwait(false);
            var dial = new byte[HandshakeSize];
            WriteHandshake(dial, _myId, Secret is not null);
            await socket.SendAsync(dial, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var accept = new byte[HandshakeSize];
            await socket.ReceiveExactlyAsync(accept, timeout.Token).ConfigureAwait(false);
            var peer = ReadHandshake(accept);
            if (peer != member.Id)
            {
                throw new InvalidDataException($"server.{member.Id}'s address answered as server {peer}");
            }

            CheckAuthenticationAgrees(accept);
            if (Secret is { } secret)
            {
                var proof = new byte[ProofSize];
                await socket.ReceiveExactlyAsync(proof, timeout.Token).ConfigureAwait(false);
                if (!CryptographicOperations.FixedTimeEquals(proof, Proof(secret, "accept", dial, accept)))
                {
                    throw new InvalidDataException($"server.{member.Id} did not prove the quorum secret");
                }

                await socket.SendAsync(Proof(secret, "dial", dial, accept), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or InvalidDataException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
            if (e is InvalidDataException)
            {
                _logger.LogWarning("Dialing server {Peer} at {Host}:{Port} failed: {Reason}", member.Id, member.Host, member.QuorumPort, e.Message);
            }

            socket.Dispose();
            return false;
        }

        return Install(new PeerLink(socket, member.Id, initiator: _myId, _options.PeerMaxFrameBytes, _logger));
    }

    private byte[]? Secret => _options.QuorumSecret;

    private void CheckAuthenticationAgrees(ReadOnlySpan<byte> handshake)
    {
        var theirs = (handshake[13] & FlagAuthenticated) != 0;
        if (theirs != Secret is not null)
        {
            throw new InvalidDataException(Secret is null
                ? "the peer authenticates with a quorum secret and this server has none (zkaspire.quorumSecretFile)"
                : "the peer has no quorum secret and this server requires one (zkaspire.quorumSecretFile)");
        }
    }

    private static long ReadHandshake(ReadOnlySpan<byte> buffer)
    {
        if (BinaryPrimitives.ReadUInt32BigEndian(buffer) != HandshakeMagic)
        {
            throw new InvalidDataException("the handshake does not start with the ZkAspire peer magic");
        }

        if (buffer[4] != PeerMessageCodec.Version)
        {
            throw new InvalidDataException($"peer protocol version {buffer[4]} is not this server's ({PeerMessageCodec.Version})");
        }

        return BinaryPrimitives.ReadInt64BigEndian(buffer[5..]);
    }

    private bool Install(PeerLink link)
    {
        PeerLink? replaced = null;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                link.Discard("the server is stopping");
                return false;
            }

            if (_links.TryGetValue(link.PeerId, out var existing) && !existing.IsClosed)
            {
                // The link dialed by the higher server id wins; of two dialed by the same side, the newer.
                var higher = Math.Max(_myId, link.PeerId);
                if (link.Initiator != higher && existing.Initiator == higher)
                {
                    link.Discard("a link to this server already exists");
                    return false;
                }

                replaced = existing;
            }

            _links[link.PeerId] = link;
            if (_unsentNotifications.Remove(link.PeerId, out var unsent))
            {
                // First on the new link, before anything the loop sends on it from now on. No
                // loop batch may follow soon to flush it: wake the link's writer here (a writer
                // that has not started yet sends what is queued when it does).
                link.Enqueue(unsent, _options.PeerSendQueueBytes);
                link.Flush(sendNow: false);
            }
        }

        if (replaced is not null)
        {
            // The replica hears of the old link's end now, before anything read on the new one:
            // reported later, from the old link's own completion, it could arrive after the peer
            // has registered again on the new link (say a learner's FOLLOWERINFO) and undo that
            // registration, leaving the learner waiting out initLimit.
            replaced.Close("replaced by a newer link");
            ReportClosed(replaced);
        }

        _logger.LogInformation("Peer link to server {Peer} up ({Direction})", link.PeerId, link.Initiator == _myId ? "dialed" : "accepted");
        link.Start(_onMessage, closed =>
        {
            lock (_gate)
            {
                if (_links.TryGetValue(closed.PeerId, out var current) && ReferenceEquals(current, closed))
                {
                    _links.TryRemove(closed.PeerId, out _);
                }
            }

            if (_wakeDialers.TryGetValue(closed.PeerId, out var wake) && wake.CurrentCount == 0)
            {
                wake.Release();
            }

            ReportClosed(closed);
        });
        return true;
    }

    private void ReportClosed(PeerLink link)
    {
        if (link.TryMarkCloseReported())
        {
            _onClosed(link);
        }
    }
}
