// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Diagnostics.Metrics;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Diagnostics;

/// <summary>One server's instruments. Gauges read a snapshot of the core's counters that the event loop refreshes every tick.</summary>
internal sealed class ServerMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _connections;
    private readonly Func<long> _outstanding;
    private readonly Func<ReplicaStats?> _stats;
    private KeyValuePair<string, object?> _serverPort;

    /// <summary>Creates the instruments.</summary>
    /// <param name="outstanding">Reads the outstanding request count.</param>
    /// <param name="stats">Reads the latest core counters.</param>
    public ServerMetrics(Func<long> outstanding, Func<ReplicaStats?> stats)
    {
        _outstanding = outstanding;
        _stats = stats;
        _meter = new Meter(ZooKeeperServerTelemetry.MeterName, ServerVersion.ZkAspireVersion);
        _requests = _meter.CreateCounter<long>(ZooKeeperServerTelemetry.RequestCountInstrument, "{request}", "Requests answered.");
        _duration = _meter.CreateHistogram<double>(
            ZooKeeperServerTelemetry.RequestDurationInstrument,
            "s",
            "Time from a request's arrival to its reply.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _connections = _meter.CreateUpDownCounter<long>(ZooKeeperServerTelemetry.ActiveConnectionsInstrument, "{connection}", "Open client connections.");
        _meter.CreateObservableGauge(ZooKeeperServerTelemetry.OutstandingRequestsInstrument, () => new Measurement<long>(_outstanding(), _serverPort), "{request}", "Requests received and not answered yet.");
        _meter.CreateObservableGauge(ZooKeeperServerTelemetry.SessionsInstrument, () => Observe(s => s.SessionCount), "{session}", "Live sessions.");
        _meter.CreateObservableGauge(ZooKeeperServerTelemetry.WatchesInstrument, () => Observe(s => s.WatchCount), "{watch}", "Watch registrations.");
        _meter.CreateObservableGauge(ZooKeeperServerTelemetry.ZnodesInstrument, () => Observe(s => s.NodeCount), "{znode}", "Znodes.");
    }

    /// <summary>Sets the port that tags every measurement, once the server is bound.</summary>
    /// <param name="port">The port.</param>
    public void SetServerPort(int port) => _serverPort = new(ZooKeeperServerTelemetry.ServerPortAttribute, port);

    /// <summary>Counts a connection opening or closing.</summary>
    /// <param name="delta">+1 or −1.</param>
    public void ConnectionChanged(int delta) => _connections.Add(delta, _serverPort);

    /// <summary>Records an answered request.</summary>
    /// <param name="operation">The operation name.</param>
    /// <param name="seconds">Its duration.</param>
    /// <param name="errorType">The error name, or <see langword="null"/> on success.</param>
    public void RecordRequest(string operation, double seconds, string? errorType)
    {
        var operationTag = new KeyValuePair<string, object?>(ZooKeeperServerTelemetry.OperationAttribute, operation);
        _requests.Add(1, operationTag, _serverPort);
        if (_duration.Enabled)
        {
            var tags = new TagList { operationTag, _serverPort };
            if (errorType is not null)
            {
                tags.Add(ZooKeeperServerTelemetry.ErrorTypeAttribute, errorType);
            }

            _duration.Record(seconds, tags);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<int>> Observe(Func<ReplicaStats, int> value) =>
        _stats() is { } stats ? [new Measurement<int>(value(stats), _serverPort)] : [];
}
