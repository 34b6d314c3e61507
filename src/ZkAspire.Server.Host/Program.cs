// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

// zkaspire-server [path/to/zoo.cfg] [key=value ...]: a standalone ZooKeeper server in the
// foreground, as Apache ZooKeeper's "zkServer.sh start-foreground zoo.cfg". Exit codes follow
// ZooKeeper's ExitCode: 0 after a clean shutdown (SIGTERM, Ctrl+C), 2 for a bad invocation or
// configuration (INVALID_INVOCATION), 3 when the data directory cannot be used
// (UNABLE_TO_ACCESS_DATADIR), 1 when the server cannot start otherwise, a damaged data directory
// included (UNEXPECTED_ERROR, what ZooKeeper exits with when it cannot load its database).
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZkAspire.Server;
using ZkAspire.Server.Configuration;
using ZkAspire.Server.Host;
using ZkAspire.Server.Storage;

const string Usage = """
    Usage: zkaspire-server [path/to/zoo.cfg] [key=value ...]

    Runs a ZooKeeper server in the foreground until SIGTERM or Ctrl+C: standalone, or a member
    of an ensemble when the zoo.cfg has server.N=host:quorumPort:electionPort lines (dataDir/myid,
    or the environment variable ZKASPIRE_MYID, names this server).

    Settings are zoo.cfg keys (tickTime, clientPort, clientPortAddress, dataDir, maxClientCnxns,
    minSessionTimeout, maxSessionTimeout, 4lw.commands.whitelist, ...). They are read from the
    zoo.cfg, then from environment variables ZKASPIRE_<key> (e.g. ZKASPIRE_clientPort=2182 or
    ZKASPIRE_CLIENTPORT=2182), then from key=value arguments; later sources win.

    With dataDir set, every write is in the txn log (synced to the disk, forceSync=yes) before it
    is acknowledged, and a restart recovers the data and sessions from the directory. Without
    dataDir the data is kept in memory and lost when the process ends.

    With no settings the server listens on 127.0.0.1:2181 with tickTime=2000 and keeps its data
    in memory.

    Exit codes: 0 after SIGTERM or Ctrl+C, 1 when the server cannot start (the port is in use,
    the data directory is damaged, a member's disk fails), 2 for a bad setting, 3 when the data
    directory cannot be used.
    """;

if (args is ["-h"] or ["--help"] or ["-?"])
{
    Console.Out.WriteLine(Usage);
    return 0;
}

ZooKeeperConfiguration configuration;
try
{
    configuration = ZooKeeperConfiguration.FromArguments(args);
}
catch (ZooKeeperConfigurationException e)
{
    Console.Error.WriteLine("zkaspire-server: " + e.Message);
    Console.Error.WriteLine("Run 'zkaspire-server --help' for usage.");
    return 2;
}

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "zkaspire-server" });
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.UseUtcTimestamp = true;
    o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
});
builder.Logging.SetMinimumLevel(LogLevel.Information);

// The log level is set as in any .NET host, e.g. Logging__LogLevel__Default=Debug (the Aspire
// hosting's WithServerLogLevel sets it); zoo.cfg has no log settings, ZooKeeper's are in log4j's file.
builder.Configuration.AddEnvironmentVariables();
builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));

// Traces, metrics and logs over OTLP only when an endpoint is named (Aspire's WithOtlpExporter
// sets it): a plain zkaspire-server loads no OpenTelemetry assembly (README.md, Telemetry).
var otlpEndpoint = OtlpExport.GetEndpoint(builder.Configuration);
if (otlpEndpoint is not null && OtlpExport.IsUsable(otlpEndpoint))
{
    OtlpExport.Register(builder, configuration.Options.ServerId);
}

builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
builder.Services.AddSingleton(configuration.Options);
builder.Services.AddSingleton<ZooKeeperServerService>();
builder.Services.AddHostedService(services => services.GetRequiredService<ZooKeeperServerService>());

using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("zkaspire-server");
logger.LogInformation("Configuration: {Source}", configuration.ConfigPath ?? "defaults (no zoo.cfg given)");
logger.LogInformation("Runtime: {Runtime}", RuntimeDescription.Describe());
if (otlpEndpoint is not null)
{
    if (!OtlpExport.IsUsable(otlpEndpoint))
    {
        logger.LogWarning("Telemetry: {Variable}='{Endpoint}' is not an absolute http or https URI; nothing is exported", OtlpExport.EndpointVariable, otlpEndpoint);
    }
    else
    {
        logger.LogInformation("Telemetry: exporting traces, metrics and logs over OTLP to {Endpoint}", OtlpExport.Describe(builder.Configuration, otlpEndpoint));
    }
}

foreach (var warning in configuration.Warnings)
{
    logger.LogWarning("{Warning}", warning);
}

foreach (var notice in configuration.Notices)
{
    logger.LogInformation("{Notice}", notice);
}

try
{
    // RunAsync disposes the host: take the service first.
    var service = host.Services.GetRequiredService<ZooKeeperServerService>();
    await host.RunAsync().ConfigureAwait(false);
    if (service.Fault is { } fault)
    {
        Console.Error.WriteLine("zkaspire-server: the server stopped: it cannot write its data directory: " + fault.Message);
        return 1;
    }

    return 0;
}
catch (SocketException e)
{
    var options = configuration.Options;
    var message = e.SocketErrorCode == SocketError.AddressAlreadyInUse
        ? $"cannot listen on {options.ClientPortAddress}:{options.ClientPort}: the address is already in use (is another ZooKeeper running?)"
        : $"cannot listen on {options.ClientPortAddress}:{options.ClientPort}: {e.Message}";
    logger.LogCritical("{Message}", message);
    Console.Error.WriteLine("zkaspire-server: " + message);
    return 1;
}
catch (ZooKeeperConfigurationException e)
{
    logger.LogCritical("{Message}", e.Message);
    Console.Error.WriteLine("zkaspire-server: " + e.Message);
    return 2;
}
catch (DataDirectoryException e)
{
    logger.LogCritical("{Message}", e.Message);
    Console.Error.WriteLine("zkaspire-server: " + e.Message);
    return 3;
}
catch (StorageCorruptionException e)
{
    // Never start on a guess: acknowledged data would be lost silently (docs/storage-format.md §6).
    var message = $"the data directory cannot be recovered without losing acknowledged data: {e.Message.TrimEnd('.')}. The files are left as they are; 'zkaspire verify {configuration.Options.DataDir}' lists every problem (docs/storage-format.md §6 explains the recovery rules).";
    logger.LogCritical("{Message}", message);
    Console.Error.WriteLine("zkaspire-server: " + message);
    return 1;
}
catch (Exception e)
{
    logger.LogCritical(e, "The server failed");
    Console.Error.WriteLine("zkaspire-server: the server failed: " + e.Message);
    return 1;
}
