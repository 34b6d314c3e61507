// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace ZkAspire.Hosting.Internal;

/// <summary>
/// The environment a replica runs with: its zoo.cfg as <c>ZKASPIRE_&lt;key&gt;</c> variables, which
/// zkaspire-server reads after a zoo.cfg file (dots written as underscores; see its README).
/// </summary>
internal static class ReplicaEnvironment
{
    /// <summary>The prefix zkaspire-server reads settings from.</summary>
    public const string Prefix = "ZKASPIRE_";

    private static readonly string[] ReservedKeys = ["clientPort", "clientPortAddress", "dataDir", "dataLogDir", "peerType"];

    /// <summary>Whether <paramref name="key"/> is set by the ensemble for each replica.</summary>
    public static bool IsReservedKey(string key) =>
        ReservedKeys.Any(k => Normalize(k) == Normalize(key)) || Normalize(key).StartsWith("SERVER.", StringComparison.Ordinal);

    /// <summary>The variable that carries zoo.cfg <paramref name="key"/>.</summary>
    public static string VariableName(string key) => Prefix + key.Replace('.', '_');

    /// <summary>Sets the replica's variables.</summary>
    public static void Apply(EnvironmentCallbackContext context, ZooKeeperReplicaResource replica)
    {
        var ensemble = replica.Parent;
        var variables = context.EnvironmentVariables;

        // Defaults first, so that WithSetting can change them.
        variables[VariableName("4lw.commands.whitelist")] = ZooKeeperEnsembleResource.DefaultFourLetterWordWhitelist;
        foreach (var (key, value) in ensemble.Settings)
        {
            variables[VariableName(key)] = value;
        }

        variables[VariableName("clientPortAddress")] = "127.0.0.1";
        variables[VariableName("clientPort")] = replica.ClientEndpoint.Property(EndpointProperty.Port);
        if (context.ExecutionContext.IsRunMode)
        {
            variables[VariableName("dataDir")] = ensemble.GetReplicaDataDirectory(replica);
        }

        if (replica.LearnerType == ZooKeeperLearnerType.Observer)
        {
            variables[VariableName("peerType")] = "observer";
        }

        // The full peer list, the same on every replica (ZooKeeper's server.N lines).
        foreach (var peer in ensemble.Replicas)
        {
            variables[VariableName("server." + peer.ServerId.ToString(CultureInfo.InvariantCulture))] = peer.ServerLineExpression;
        }

        if (ensemble.ServerLogLevel is { } level)
        {
            variables["Logging__LogLevel__Default"] = level.ToString();
        }
    }

    private static string Normalize(string key) => key.Replace('_', '.').ToUpperInvariant();
}
