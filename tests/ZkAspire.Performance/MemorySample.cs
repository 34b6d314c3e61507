// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Performance;

/// <summary>One fresh start of one server: cold start, idle memory, memory after the znodes are made.</summary>
/// <param name="Flavor">The server.</param>
/// <param name="Repetition">The repetition, from 1.</param>
/// <param name="ColdStartMs">From starting the process to the first answered request.</param>
/// <param name="IdleRssBytes">Resident memory once serving, with one session, after a settling pause.</param>
/// <param name="LoadedRssBytes">Resident memory after the znodes were made, after a settling pause.</param>
/// <param name="Znodes">How many znodes were made.</param>
/// <param name="CreateSeconds">How long making them took (8 sessions, pipelined).</param>
/// <param name="DataDirectoryBytes">What the server had written under its dataDir by then.</param>
/// <param name="Version">What <c>srvr</c> says the version is.</param>
internal sealed record MemorySample(
    ServerFlavor Flavor,
    int Repetition,
    double ColdStartMs,
    long IdleRssBytes,
    long LoadedRssBytes,
    int Znodes,
    double CreateSeconds,
    long DataDirectoryBytes,
    string Version);
