// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Performance;

/// <summary>One fresh three-node ensemble: its cold start to the first write, and the failovers measured on it.</summary>
/// <param name="Flavor">The server.</param>
/// <param name="Repetition">The repetition, from 1.</param>
/// <param name="ColdStartMs">From starting the three processes to the first acknowledged create.</param>
/// <param name="FailoverMs">Each kill -9 of the leader until the first acknowledged create after it.</param>
internal sealed record FailoverSample(ServerFlavor Flavor, int Repetition, double ColdStartMs, IReadOnlyList<double> FailoverMs);
