// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZkAspire.Client;

namespace ZkAspire.Extensions.Hosting;

/// <summary>
/// Reports a client's connection and session state: Healthy while connected; Degraded while
/// Suspended (the connection is lost but the session may live: Curator's "should suspend until
/// the connection is re-established") or connected to a read-only server; Unhealthy before the
/// first connection, when the session is Lost, and after the client is closed.
/// </summary>
/// <remarks>
/// The check reads the state the client already tracks (pings every third of the session
/// timeout) and sends nothing, so probing it often costs the ensemble nothing.
/// </remarks>
public sealed class ZooKeeperHealthCheck : IHealthCheck
{
    private readonly ZooKeeperClient _client;

    /// <summary>Creates a check of a client.</summary>
    /// <param name="client">The client.</param>
    public ZooKeeperHealthCheck(ZooKeeperClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = _client.ConnectionState;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["state"] = state?.ToString() ?? "NotConnected",
            ["sessionId"] = "0x" + _client.SessionId.ToString("x", CultureInfo.InvariantCulture),
            ["servers"] = _client.ConnectionString.ToString(),
        };
        if (_client.Server is { } server)
        {
            data["server"] = ZooKeeperConnectionString.FormatHost(server);
        }

        var result = _client.IsClosed ? new HealthCheckResult(context.Registration.FailureStatus, "The ZooKeeper client is closed.", data: data) : state switch
        {
            // IsConnected guards the moment between a dropped socket and the Suspended event.
            ConnectionState.Connected or ConnectionState.Reconnected when _client.IsConnected =>
                HealthCheckResult.Healthy("Connected to ZooKeeper.", data),
            ConnectionState.Connected or ConnectionState.Reconnected or ConnectionState.Suspended =>
                new HealthCheckResult(Degraded(context), "The ZooKeeper connection is lost; the session may still be alive.", data: data),
            ConnectionState.ReadOnly =>
                new HealthCheckResult(Degraded(context), "Connected to a read-only ZooKeeper server: writes fail.", data: data),
            ConnectionState.Lost =>
                new HealthCheckResult(context.Registration.FailureStatus, "The ZooKeeper session is lost (expired); the client is making a new one.", data: data),
            _ =>
                new HealthCheckResult(context.Registration.FailureStatus, "Not connected to ZooKeeper yet.", data: data),
        };
        return Task.FromResult(result);
    }

    /// <summary>Degraded, unless the registration asks for a milder failure status than that.</summary>
    private static HealthStatus Degraded(HealthCheckContext context) =>
        context.Registration.FailureStatus > HealthStatus.Degraded ? context.Registration.FailureStatus : HealthStatus.Degraded;
}
