// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>
/// The names of the client's telemetry: its <see cref="System.Diagnostics.ActivitySource"/>, its
/// <see cref="System.Diagnostics.Metrics.Meter"/>, their instruments and attributes. Attribute names
/// follow the OpenTelemetry database-client conventions where those exist; the rest are
/// <c>zookeeper.*</c>. Register the source and meter with the OpenTelemetry SDK by these names.
/// </summary>
public static class ZooKeeperClientTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string SourceName = "ZkAspire.Client";

    /// <summary>The value of <see cref="Attributes.DbSystemName"/>.</summary>
    public const string DbSystem = "zookeeper";

    /// <summary>The instruments of the meter.</summary>
    public static class Instruments
    {
        /// <summary>Histogram of request durations in seconds, by operation, server and error (semantic convention <c>db.client.operation.duration</c>); its count is the number of requests.</summary>
        public const string OperationDuration = "db.client.operation.duration";

        /// <summary>Up-down counter of requests sent or queued and not yet answered.</summary>
        public const string PendingRequests = "zookeeper.client.requests.pending";

        /// <summary>Counter of connection-state changes, by <see cref="Attributes.ConnectionState"/>.</summary>
        public const string ConnectionStateChanges = "zookeeper.client.connection.state_changes";

        /// <summary>
        /// Counter of connection attempts (the first connection and every reconnect), with
        /// <see cref="Attributes.ErrorType"/> on those that failed and <see cref="Attributes.ServerAddress"/>
        /// and <see cref="Attributes.ServerPort"/> of the server tried.
        /// </summary>
        public const string ConnectionAttempts = "zookeeper.client.connection.attempts";

        /// <summary>Counter of watch notifications received, by <see cref="Attributes.EventType"/>.</summary>
        public const string WatchEvents = "zookeeper.client.watch.events";
    }

    /// <summary>The attributes of spans and measurements.</summary>
    public static class Attributes
    {
        /// <summary>The database system, <see cref="DbSystem"/> (semantic convention).</summary>
        public const string DbSystemName = "db.system.name";

        /// <summary>The operation, ZooKeeper's opcode name, e.g. <c>create</c> or <c>getData</c> (semantic convention).</summary>
        public const string DbOperationName = "db.operation.name";

        /// <summary>The error code of a failed request, e.g. <c>-101</c> (semantic convention).</summary>
        public const string DbResponseStatusCode = "db.response.status_code";

        /// <summary>The error of a failed request: the code name, e.g. <c>NoNode</c> (semantic convention).</summary>
        public const string ErrorType = "error.type";

        /// <summary>The server's host name or address (semantic convention).</summary>
        public const string ServerAddress = "server.address";

        /// <summary>The server's port (semantic convention).</summary>
        public const string ServerPort = "server.port";

        /// <summary>The client path of the request.</summary>
        public const string Path = "zookeeper.path";

        /// <summary>The session id, in hex as ZooKeeper prints it (<c>0x…</c>).</summary>
        public const string SessionId = "zookeeper.session.id";

        /// <summary>The request's xid.</summary>
        public const string Xid = "zookeeper.xid";

        /// <summary>The zxid of the reply.</summary>
        public const string Zxid = "zookeeper.zxid";

        /// <summary>The connection state after a change (Connected, Suspended, Reconnected, Lost, ReadOnly).</summary>
        public const string ConnectionState = "zookeeper.connection.state";

        /// <summary>The type of a watch event.</summary>
        public const string EventType = "zookeeper.event.type";
    }
}
