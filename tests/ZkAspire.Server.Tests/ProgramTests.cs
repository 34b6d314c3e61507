// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.Sockets;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>The zkaspire-server program as a separate process: exit codes and signals.</summary>
public sealed class ProgramTests
{
    [Fact]
    public async Task ABadValueStopsTheProgramWithAMessageNamingTheKey()
    {
        var (exitCode, output) = await ZkAspireServerProcess.RunAsync(["tickTime=soon"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("Invalid value 'soon' for 'tickTime'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingConfigFileStopsTheProgram()
    {
        var (exitCode, output) = await ZkAspireServerProcess.RunAsync(["/nonexistent/zoo.cfg"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("/nonexistent/zoo.cfg", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadEnvironmentOverrideStopsTheProgram()
    {
        var (exitCode, output) = await ZkAspireServerProcess.RunAsync(
            ["clientPort=0"],
            new Dictionary<string, string> { ["ZKASPIRE_MAXCLIENTCNXNS"] = "lots" });

        Assert.Equal(2, exitCode);
        Assert.Contains("'maxClientCnxns'", output, StringComparison.Ordinal);
        Assert.Contains("ZKASPIRE_MAXCLIENTCNXNS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APortInUseStopsTheProgramWithAClearMessage()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        var (exitCode, output) = await ZkAspireServerProcess.RunAsync([$"clientPort={port}"]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}: the address is already in use", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProgramServesLogsItsStartAndExitsCleanlyOnSigterm()
    {
        await using var server = await ZkAspireServerProcess.StartAsync(["unknownKey=1"]);

        Assert.Equal("imok", await FourLetterWordClient.SendAsync(server.Port, "ruok"));
        var (client, _) = await Infrastructure.RawClient.ConnectSessionAsync(server.Port);
        await using var _c = client;
        Assert.Contains($"serving clients on 127.0.0.1:{server.Port} (mode standalone, tickTime 2000 ms, dataDir {server.Directory}/data, zxid 0x0)", server.Log, StringComparison.Ordinal);
        Assert.Contains("Unknown setting 'unknownKey'", server.Log, StringComparison.Ordinal);
        Assert.Contains("Runtime: .NET ", server.Log, StringComparison.Ordinal);
        Assert.Contains(", JIT, ", server.Log, StringComparison.Ordinal);

        Assert.Equal(0, await server.TerminateAsync());
        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("stopped", server.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStartLogNamesTheCollectorAndTheGen0BudgetTheRuntimeWasGiven()
    {
        // The JIT build keeps the runtime's sizing unless the environment gives GCgen0size (hex,
        // as the runtime reads it); given one, the runtime caps the budget at the larger of 6 MiB
        // and it. The native build compiles 2 MiB in (NativeServerTests).
        await using var configured = await ZkAspireServerProcess.StartAsync(environment: new Dictionary<string, string?> { ["DOTNET_GCgen0size"] = "0x800000", ["DOTNET_gcServer"] = null, ["DOTNET_gcConcurrent"] = null });
        Assert.Contains(", JIT, workstation GC (concurrent), gen0 budget up to 8 MiB", configured.Log, StringComparison.Ordinal);
        Assert.Equal(0, await configured.TerminateAsync());
    }

    [Fact]
    public async Task HelpPrintsUsage()
    {
        var (exitCode, output) = await ZkAspireServerProcess.RunAsync(["--help"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage: zkaspire-server [path/to/zoo.cfg] [key=value ...]", output, StringComparison.Ordinal);
    }
}
