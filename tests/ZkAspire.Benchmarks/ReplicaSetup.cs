// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Benchmarks;

/// <summary>A standalone in-memory replica with sessions on connections, as the host would set it up.</summary>
internal static class ReplicaSetup
{
    private const long Now = 1_700_000_000_000;

    public static Replica CreateWithSession(IReplicaOutput output, params long[] connections)
    {
        var replica = new Replica(new ReplicaOptions { TickTimeMs = 2000 }, output);
        foreach (var connection in connections)
        {
            replica.ConnectionOpened(connection, "127.0.0." + (connection % 250).ToString(CultureInfo.InvariantCulture), Now);
            replica.ConnectRequestReceived(connection, new ConnectRequest(0, 0, 30_000, 0, new byte[16], false), Now);
        }

        return replica;
    }
}
