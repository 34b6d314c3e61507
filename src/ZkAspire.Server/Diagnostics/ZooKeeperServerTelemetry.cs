// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using ZkAspire.Protocol;

namespace ZkAspire.Server.Diagnostics;

/// <summary>
/// The names of the server's traces and metrics, in one place (as npgsql's <c>NpgsqlActivitySource</c>).
/// Register them with OpenTelemetry by name: <c>AddSource(ZooKeeperServerTelemetry.ActivitySourceName)</c>
/// and <c>AddMeter(ZooKeeperServerTelemetry.MeterName)</c>; the server itself depends on
/// <c>System.Diagnostics</c> only.
/// </summary>
/// <remarks>
/// Names follow OpenTelemetry's semantic-convention style: dotted lower-case namespaces,
/// <c>snake_case</c> words, units in UCUM, durations in seconds, and the general attributes
/// (<c>error.type</c>, <c>client.address</c>) where they exist.
/// </remarks>
public static class ZooKeeperServerTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/>: one server span per request.</summary>
    public const string ActivitySourceName = "ZkAspire.Server";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "ZkAspire.Server";

    /// <summary>Span name prefix: a span is named <c>zookeeper.&lt;operation&gt;</c>, e.g. <c>zookeeper.getData</c>.</summary>
    public const string SpanNamePrefix = "zookeeper.";

    /// <summary>Attribute: the operation, ZooKeeper's name for the opcode (<c>getData</c>, <c>create2</c>, <c>connect</c>).</summary>
    public const string OperationAttribute = "zookeeper.operation";

    /// <summary>Attribute: the znode path the request names, if any.</summary>
    public const string PathAttribute = "zookeeper.path";

    /// <summary>Attribute: the session id, as <c>0x</c> hex as ZooKeeper prints it.</summary>
    public const string SessionIdAttribute = "zookeeper.session.id";

    /// <summary>Attribute: the request's xid.</summary>
    public const string XidAttribute = "zookeeper.xid";

    /// <summary>Attribute: the zxid in the reply header.</summary>
    public const string ZxidAttribute = "zookeeper.zxid";

    /// <summary>Attribute: the reply's error code as a number (0 for OK).</summary>
    public const string ErrorCodeAttribute = "zookeeper.error.code";

    /// <summary>Attribute (OpenTelemetry general): the error's name, e.g. <c>NoNode</c>; absent on success.</summary>
    public const string ErrorTypeAttribute = "error.type";

    /// <summary>Attribute (OpenTelemetry general): the client's IP address.</summary>
    public const string ClientAddressAttribute = "client.address";

    /// <summary>Attribute (OpenTelemetry general): the client's port.</summary>
    public const string ClientPortAttribute = "client.port";

    /// <summary>Attribute (OpenTelemetry general): the port the server listens on, on metrics of several servers in one process.</summary>
    public const string ServerPortAttribute = "server.port";

    /// <summary>Counter: requests answered, by <see cref="OperationAttribute"/>.</summary>
    public const string RequestCountInstrument = "zookeeper.server.request.count";

    /// <summary>Histogram: seconds from a request's arrival to its reply, by <see cref="OperationAttribute"/> and <see cref="ErrorTypeAttribute"/>.</summary>
    public const string RequestDurationInstrument = "zookeeper.server.request.duration";

    /// <summary>Gauge: requests received and not yet answered.</summary>
    public const string OutstandingRequestsInstrument = "zookeeper.server.outstanding_requests";

    /// <summary>Gauge: live sessions.</summary>
    public const string SessionsInstrument = "zookeeper.server.sessions";

    /// <summary>Gauge: watch registrations (data and child tables).</summary>
    public const string WatchesInstrument = "zookeeper.server.watches";

    /// <summary>Gauge: znodes, as ZooKeeper counts them.</summary>
    public const string ZnodesInstrument = "zookeeper.server.znodes";

    /// <summary>Up-down counter: open client connections.</summary>
    public const string ActiveConnectionsInstrument = "zookeeper.server.active_connections";

    /// <summary>Gets the server's activity source.</summary>
    internal static ActivitySource ActivitySource { get; } = new(ActivitySourceName, ServerVersion.ZkAspireVersion);

    /// <summary>ZooKeeper's name of an opcode, as used in span names and metric attributes.</summary>
    /// <param name="type">The opcode as sent.</param>
    /// <returns>The name, or <c>unknown</c>.</returns>
    public static string OperationName(int type) => (OpCode)type switch
    {
        OpCode.Notification => "notification",
        OpCode.Create => "create",
        OpCode.Delete => "delete",
        OpCode.Exists => "exists",
        OpCode.GetData => "getData",
        OpCode.SetData => "setData",
        OpCode.GetACL => "getACL",
        OpCode.SetACL => "setACL",
        OpCode.GetChildren => "getChildren",
        OpCode.Sync => "sync",
        OpCode.Ping => "ping",
        OpCode.GetChildren2 => "getChildren2",
        OpCode.Check => "check",
        OpCode.Multi => "multi",
        OpCode.Create2 => "create2",
        OpCode.Reconfig => "reconfig",
        OpCode.CheckWatches => "checkWatches",
        OpCode.RemoveWatches => "removeWatches",
        OpCode.CreateContainer => "createContainer",
        OpCode.DeleteContainer => "deleteContainer",
        OpCode.CreateTTL => "createTTL",
        OpCode.MultiRead => "multiRead",
        OpCode.Auth => "auth",
        OpCode.SetWatches => "setWatches",
        OpCode.Sasl => "sasl",
        OpCode.GetEphemerals => "getEphemerals",
        OpCode.GetAllChildrenNumber => "getAllChildrenNumber",
        OpCode.SetWatches2 => "setWatches2",
        OpCode.AddWatch => "addWatch",
        OpCode.WhoAmI => "whoAmI",
        OpCode.CreateSession => "createSession",
        OpCode.CloseSession => "closeSession",
        OpCode.Error => "error",
        _ => "unknown",
    };
}
