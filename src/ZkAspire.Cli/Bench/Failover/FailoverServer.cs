// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Cli.Bench.Failover;

/// <summary>One server of the connect string, as the failover workload addresses it.</summary>
/// <param name="Host">The host, as written in the connect string.</param>
/// <param name="Port">The client port.</param>
/// <param name="Index">Its place in the connect string, from 1 (the <c>{index}</c> placeholder).</param>
internal sealed record FailoverServer(string Host, int Port, int Index)
{
    /// <summary>Gets <c>host:port</c>, brackets around an IPv6 address.</summary>
    public string Address => (Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override string ToString() => Address;
}
