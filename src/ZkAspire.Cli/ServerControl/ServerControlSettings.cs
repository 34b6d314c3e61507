// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections;

namespace ZkAspire.Cli.ServerControl;

/// <summary>What server control reads from its surroundings; tests give their own.</summary>
internal sealed record ServerControlSettings
{
    /// <summary>Gets the environment: ZOOCFGDIR, ZOOPIDFILE, ZOO_LOG_DIR, ZKASPIRE_SERVER_PROGRAM, and what the server inherits.</summary>
    public IDictionary Environment { get; init; } = System.Environment.GetEnvironmentVariables();

    /// <summary>Gets where to look for the server program first: beside this program.</summary>
    public string BaseDirectory { get; init; } = AppContext.BaseDirectory;

    /// <summary>Gets how long start waits for the server to answer.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets how long stop waits for the server to exit after SIGTERM.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how often start and stop look at the server again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
