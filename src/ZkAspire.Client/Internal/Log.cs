// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using Microsoft.Extensions.Logging;

namespace ZkAspire.Client.Internal;

/// <summary>The client's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Opening socket connection to server {Server}")]
    private static partial void Connecting(ILogger logger, string server);

    [LoggerMessage(2, LogLevel.Information, "Session establishment complete on server {Server}, session id = 0x{SessionId:x}, negotiated timeout = {Timeout} ms, read-only = {ReadOnly}")]
    private static partial void Connected(ILogger logger, string server, long sessionId, int timeout, bool readOnly);

    [LoggerMessage(3, LogLevel.Information, "Could not connect to {Server}: {Reason}")]
    private static partial void ConnectFailed(ILogger logger, string server, string reason, Exception? exception);

    [LoggerMessage(4, LogLevel.Information, "Connection to {Server} lost for session 0x{SessionId:x}, reconnecting: {Reason}")]
    private static partial void ConnectionLost(ILogger logger, string server, long sessionId, string reason, Exception? exception);

    /// <summary>Logs a connection attempt.</summary>
    /// <param name="logger">The logger.</param>
    /// <param name="server">The server.</param>
    public static void Connecting(ILogger logger, DnsEndPoint server)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Connecting(logger, ZooKeeperConnectionString.FormatHost(server));
        }
    }

    /// <summary>Logs an established session.</summary>
    /// <param name="logger">The logger.</param>
    /// <param name="server">The server.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="timeout">The negotiated timeout in milliseconds.</param>
    /// <param name="readOnly">Whether the session is read-only.</param>
    public static void Connected(ILogger logger, DnsEndPoint server, long sessionId, int timeout, bool readOnly)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            Connected(logger, ZooKeeperConnectionString.FormatHost(server), sessionId, timeout, readOnly);
        }
    }

    /// <summary>
    /// Logs a failed connection attempt. A refused or reset socket, an attempt that timed out and
    /// the other failures of a server that is down or unreachable are expected while a server
    /// restarts, so they are one line with their message; anything else keeps its stack trace.
    /// </summary>
    /// <param name="logger">The logger.</param>
    /// <param name="server">The server.</param>
    /// <param name="exception">Why it failed.</param>
    public static void ConnectFailed(ILogger logger, DnsEndPoint server, Exception exception)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            ConnectFailed(logger, ZooKeeperConnectionString.FormatHost(server), exception.Message, IsExpected(exception) ? null : exception);
        }
    }

    /// <summary>Logs a connection that was lost (the same rule for the stack trace as <see cref="ConnectFailed(ILogger, DnsEndPoint, Exception)"/>).</summary>
    /// <param name="logger">The logger.</param>
    /// <param name="server">The server.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="exception">Why it was lost.</param>
    public static void ConnectionLost(ILogger logger, DnsEndPoint server, long sessionId, Exception exception)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            ConnectionLost(logger, ZooKeeperConnectionString.FormatHost(server), sessionId, exception.Message, IsExpected(exception) ? null : exception);
        }
    }

    private static bool IsExpected(Exception exception) =>
        exception is System.Net.Sockets.SocketException or IOException or TimeoutException or KeeperException or ObjectDisposedException;

    [LoggerMessage(5, LogLevel.Warning, "Session 0x{SessionId:x} has expired ({Reason}); a new session will be created")]
    public static partial void SessionExpired(ILogger logger, long sessionId, string reason);

    [LoggerMessage(6, LogLevel.Error, "Authentication failed with scheme {Scheme}; the client is closed, as the Java client is")]
    public static partial void AuthFailed(ILogger logger, string scheme);

    [LoggerMessage(7, LogLevel.Error, "A watch or connection-state handler threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Re-registering watches with {OpCode} failed: {Error}")]
    public static partial void SetWatchesFailed(ILogger logger, string opCode, string error);

    [LoggerMessage(9, LogLevel.Debug, "Closing session 0x{SessionId:x}")]
    public static partial void Closing(ILogger logger, long sessionId);

    /// <summary>
    /// Logs a guaranteed delete left to the background. Only a failure on the connection or a
    /// cancellation (an application stopping, typically) leaves it there, so the line carries the
    /// reason and no stack trace.
    /// </summary>
    /// <param name="logger">The logger.</param>
    /// <param name="path">The node.</param>
    /// <param name="reason">Why the caller's attempt failed.</param>
    [LoggerMessage(10, LogLevel.Warning, "Guaranteed delete of {Path} will be retried in the background: {Reason}")]
    public static partial void GuaranteedDeleteQueued(ILogger logger, string path, string reason);

    [LoggerMessage(11, LogLevel.Warning, "Guaranteed delete of {Path} gave up")]
    public static partial void GuaranteedDeleteGaveUp(ILogger logger, string path, Exception exception);
}
