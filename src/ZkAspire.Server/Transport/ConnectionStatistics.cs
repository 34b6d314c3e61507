// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Transport;

/// <summary>
/// One connection's counters as cons reports them (ZooKeeper's <c>ServerCnxn</c> stats). Owned by
/// the event loop: only the loop reads or writes them.
/// </summary>
internal sealed class ConnectionStatistics
{
    /// <summary>Gets or sets the frames received, the connect request included.</summary>
    public long PacketsReceived { get; set; }

    /// <summary>Gets or sets the frames sent, the connect response and notifications included.</summary>
    public long PacketsSent { get; set; }

    /// <summary>Gets or sets the short name of the last operation answered (ZooKeeper's <c>lop</c>).</summary>
    public string LastOperation { get; set; } = "NA";

    /// <summary>Gets or sets the xid of the last request answered; −1 before any.</summary>
    public long LastCxid { get; set; } = -1;

    /// <summary>Gets or sets the zxid of the last reply; −1 before any.</summary>
    public long LastZxid { get; set; } = -1;

    /// <summary>Gets or sets when the last reply went out, in monotonic milliseconds (as ZooKeeper's <c>lresp</c>).</summary>
    public long LastResponseTime { get; set; }

    /// <summary>Gets or sets the latency of the last request in milliseconds.</summary>
    public long LastLatency { get; set; }

    /// <summary>Gets the smallest latency seen, <see cref="long.MaxValue"/> before any.</summary>
    public long MinLatency { get; private set; } = long.MaxValue;

    /// <summary>Gets the largest latency seen.</summary>
    public long MaxLatency { get; private set; }

    /// <summary>Gets the number of latency samples.</summary>
    public long Count { get; private set; }

    /// <summary>Gets the sum of latency samples.</summary>
    public long TotalLatency { get; private set; }

    /// <summary>Records a reply.</summary>
    /// <param name="cxid">The request's xid.</param>
    /// <param name="zxid">The reply's zxid.</param>
    /// <param name="operation">The short name of the operation.</param>
    /// <param name="latencyMs">Receive to reply, in milliseconds.</param>
    /// <param name="responseTime">When, in monotonic milliseconds.</param>
    public void RecordResponse(long cxid, long zxid, string operation, long latencyMs, long responseTime)
    {
        // ServerCnxn.updateStatsForResponse: "if (cxid >= 0) lastCxid = cxid".
        if (cxid >= 0)
        {
            LastCxid = cxid;
        }

        LastZxid = zxid;
        LastOperation = operation;
        LastResponseTime = responseTime;
        LastLatency = latencyMs;
        MinLatency = Math.Min(MinLatency, latencyMs);
        MaxLatency = Math.Max(MaxLatency, latencyMs);
        Count++;
        TotalLatency += latencyMs;
    }

    /// <summary>Resets everything (crst).</summary>
    public void Reset()
    {
        PacketsReceived = 0;
        PacketsSent = 0;
        LastOperation = "NA";
        LastCxid = -1;
        LastZxid = -1;
        LastResponseTime = 0;
        LastLatency = 0;
        MinLatency = long.MaxValue;
        MaxLatency = 0;
        Count = 0;
        TotalLatency = 0;
    }
}
