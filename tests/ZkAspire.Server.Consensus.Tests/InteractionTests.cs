// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus.Tests;

/// <summary>Runs every script in <c>testdata/</c> (see <see cref="DataDriven"/>).</summary>
public sealed class InteractionTests
{
    public static TheoryData<string> Scripts() => new(DataDriven.Files("testdata"));

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script(string file)
    {
        var env = new InteractionEnv();
        DataDriven.Run("testdata", file, env.Execute);
    }
}
