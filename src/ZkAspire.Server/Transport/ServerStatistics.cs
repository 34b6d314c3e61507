// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Transport;

/// <summary>The server-wide counters srvr, stat and mntr report (ZooKeeper's <c>ServerStats</c>). Owned by the event loop.</summary>
internal sealed class ServerStatistics
{
    /// <summary>Gets or sets the frames received from all connections (four-letter words count one).</summary>
    public long PacketsReceived { get; set; }

    /// <summary>Gets or sets the frames sent to all connections.</summary>
    public long PacketsSent { get; set; }

    /// <summary>Gets or sets the bytes received from all connections.</summary>
    public long BytesReceived { get; set; }

    /// <summary>Gets the smallest request latency in milliseconds, <see cref="long.MaxValue"/> before any.</summary>
    public long MinLatency { get; private set; } = long.MaxValue;

    /// <summary>Gets the largest request latency in milliseconds.</summary>
    public long MaxLatency { get; private set; }

    /// <summary>Gets the sum of request latencies.</summary>
    public long TotalLatency { get; private set; }

    /// <summary>Gets the number of latency samples.</summary>
    public long LatencyCount { get; private set; }

    /// <summary>Gets or sets the connections refused by maxClientCnxns or maxCnxns.</summary>
    public long ConnectionsRejected { get; set; }

    /// <summary>Gets or sets the connections closed for staying without a session too long.</summary>
    public long SessionlessConnectionsExpired { get; set; }

    /// <summary>Gets or sets the connections closed because of bad bytes (oversized frames, garbage).</summary>
    public long ConnectionsDroppedForBadInput { get; set; }

    /// <summary>Gets or sets the connections closed because their client did not read.</summary>
    public long ConnectionsDroppedForSlowReading { get; set; }

    /// <summary>Records one request's latency.</summary>
    /// <param name="latencyMs">The latency in milliseconds.</param>
    public void RecordLatency(long latencyMs)
    {
        MinLatency = Math.Min(MinLatency, latencyMs);
        MaxLatency = Math.Max(MaxLatency, latencyMs);
        TotalLatency += latencyMs;
        LatencyCount++;
    }

    /// <summary>Resets latency and packet counters (srst, ZooKeeper's <c>ServerStats.reset</c>).</summary>
    public void Reset()
    {
        PacketsReceived = 0;
        PacketsSent = 0;
        MinLatency = long.MaxValue;
        MaxLatency = 0;
        TotalLatency = 0;
        LatencyCount = 0;
    }
}
