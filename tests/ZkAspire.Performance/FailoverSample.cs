// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Performance;

/// <summary>One fresh three-node ensemble: its cold start to the first write, and the failovers measured on it.</summary>
/// <param name="Flavor">The server.</param>
/// <param name="Repetition">The repetition, from 1.</param>
/// <param name="ColdStartMs">From starting the three processes to the first acknowledged create.</param>
/// <param name="FailoverMs">Each kill -9 of the leader until the first write acknowledged to our client after it (the bench's failover workload).</param>
/// <param name="ElectionMs">Each kill until a survivor answered <c>srvr</c> as leader; NaN when none did before the writes were done.</param>
/// <param name="Json">The bench's JSON line of each kill.</param>
internal sealed record FailoverSample(ServerFlavor Flavor, int Repetition, double ColdStartMs, IReadOnlyList<double> FailoverMs, IReadOnlyList<double> ElectionMs, IReadOnlyList<string> Json);
