// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>A replica with a recording output and a hand-driven clock.</summary>
internal sealed class TestServer
{
    // A multiple of every tickTime used, so that expiry buckets are easy to predict.
    public const long StartMs = 1_700_000_000_000;

    private long _nextConnectionId = 1;

    public TestServer(ReplicaOptions? options = null, bool hostPersistence = false, ReplicaRecovery? recovery = null, long? nowMs = null)
    {
        Options = options ?? new ReplicaOptions { TickTimeMs = 2000, SessionIdSeed = 0x0100_0000_0000_0001 };
        Output = new RecordingOutput();
        Persistence = hostPersistence ? new RecordingPersistence() : null;
        NowMs = nowMs ?? StartMs;
        Replica = recovery is null ? new Replica(Options, Output, Persistence) : recovery.CreateReplica(Output, Persistence, NowMs);
    }

    public ReplicaOptions Options { get; }

    public RecordingOutput Output { get; }

    public RecordingPersistence? Persistence { get; }

    public Replica Replica { get; }

    public long NowMs { get; set; } = StartMs;

    /// <summary>Opens a connection and establishes a new session.</summary>
    public TestClient Connect(int timeoutMs = 30_000, string address = "127.0.0.1", bool? readOnly = false)
    {
        var client = Open(address);
        client.SendConnect(new ConnectRequest(0, 0, timeoutMs, 0, new byte[16], readOnly));
        client.ExpectConnected();
        return client;
    }

    /// <summary>Opens a connection without sending anything.</summary>
    public TestClient Open(string address = "127.0.0.1")
    {
        var id = _nextConnectionId++;
        Replica.ConnectionOpened(id, address, NowMs);
        return new TestClient(this, id);
    }

    /// <summary>Moves the clock and ticks.</summary>
    public void Advance(long ms)
    {
        NowMs += ms;
        Replica.Tick(NowMs);
    }

    /// <summary>Reports every appended txn persisted.</summary>
    public void PersistAll()
    {
        var persistence = Persistence ?? throw new InvalidOperationException("The server applies txns in memory.");
        if (persistence.Appended.Count > 0)
        {
            Replica.Persisted(persistence.Appended[^1].Zxid, NowMs);
        }
    }
}
