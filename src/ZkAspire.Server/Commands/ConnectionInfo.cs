// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Commands;

/// <summary>One connection as stat, cons and dump print it, taken on the event loop.</summary>
/// <param name="RemoteAddress">The peer, as Java prints an <c>InetSocketAddress</c>: <c>/127.0.0.1:54321</c>.</param>
/// <param name="InterestOps">1 while the server reads from it, 0 while it does not (paused, or a four-letter word), plus 4 while output waits.</param>
/// <param name="Queued">Requests received and not answered yet.</param>
/// <param name="Received">Frames received.</param>
/// <param name="Sent">Frames sent.</param>
/// <param name="SessionId">The session, 0 before the handshake.</param>
/// <param name="LastOperation">The short name of the last operation answered.</param>
/// <param name="EstablishedUnixMs">When the session was established on this connection, or <see langword="null"/>.</param>
/// <param name="SessionTimeoutMs">The negotiated session timeout, 0 before the handshake.</param>
/// <param name="LastCxid">The last answered xid, −1 before any.</param>
/// <param name="LastZxid">The zxid of the last reply, −1 before any.</param>
/// <param name="LastResponseTime">When the last reply went out, in monotonic milliseconds.</param>
/// <param name="LastLatency">The last latency in milliseconds.</param>
/// <param name="MinLatency">The smallest latency, 0 before any.</param>
/// <param name="AvgLatency">The mean latency, integer milliseconds as ZooKeeper prints it.</param>
/// <param name="MaxLatency">The largest latency.</param>
/// <param name="ExpiresAtUnixMs">When the server would close it if it stays silent, for dump.</param>
internal sealed record ConnectionInfo(
    string RemoteAddress,
    int InterestOps,
    long Queued,
    long Received,
    long Sent,
    long SessionId,
    string LastOperation,
    long? EstablishedUnixMs,
    int SessionTimeoutMs,
    long LastCxid,
    long LastZxid,
    long LastResponseTime,
    long LastLatency,
    long MinLatency,
    long AvgLatency,
    long MaxLatency,
    long ExpiresAtUnixMs);
