// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Simulation.Tests;

/// <summary>
/// The VOPR-style runs. CI runs a fixed set of seeds; <c>ZKASPIRE_SEED=n</c> replays one seed,
/// and <c>ZKASPIRE_SIM_SEEDS=count</c> with <c>ZKASPIRE_SIM_FIRST=start</c> runs others, e.g.
/// <c>ZKASPIRE_SIM_FIRST=$RANDOM ZKASPIRE_SIM_SEEDS=500 dotnet test --project tests/ZkAspire.Simulation.Tests</c>.
/// </summary>
public sealed class SimulationTests
{
    public static TheoryData<int> Seeds()
    {
        if (Environment.GetEnvironmentVariable("ZKASPIRE_SEED") is { Length: > 0 } one)
        {
            return [int.Parse(one, CultureInfo.InvariantCulture)];
        }

        var first = int.Parse(Environment.GetEnvironmentVariable("ZKASPIRE_SIM_FIRST") ?? "1", CultureInfo.InvariantCulture);
        var count = int.Parse(Environment.GetEnvironmentVariable("ZKASPIRE_SIM_SEEDS") ?? "400", CultureInfo.InvariantCulture);
        return [.. Enumerable.Range(first, count)];
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Seed(int seed)
    {
        var options = OptionsFor(seed);
        var simulation = new Simulation(options);

        simulation.Run();
        TestContext.Current.SendDiagnosticMessage(
            $"seed {seed}: {options.Servers}+{options.Observers} servers, {simulation.EventsRun} events, {simulation.Checker.AppliedTxns} txns, " +
            $"{simulation.Checker.EpochsEstablished} epochs, {simulation.Crashes} crashes, {simulation.Checker.SnapshotsInstalled} SNAPs, {simulation.Checker.SessionsClosed} sessions closed, " +
            $"{simulation.History.Operations.Count(o => o.Outcome == Outcome.Ok)} ok operations, " +
            $"{simulation.Network.Dropped}/{simulation.Network.Sent} messages dropped");
    }

    // The seed decides the shape too: ensemble size, observers, how hostile.
    internal static SimulationOptions OptionsFor(int seed)
    {
        var random = new Random(seed ^ 0x5eed);
        return new SimulationOptions
        {
            Seed = seed,
            Servers = random.Next(2) == 0 ? 3 : 5,
            Observers = random.Next(4) == 0 ? 1 : 0,
            Clients = random.Next(3, 6),
            Keys = random.Next(2, 5),
        };
    }
}
