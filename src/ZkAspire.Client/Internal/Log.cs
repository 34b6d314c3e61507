// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using Microsoft.Extensions.Logging;

namespace ZkAspire.Client.Internal;

/// <summary>The client's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Opening socket connection to server {Server}")]
    public static partial void Connecting(ILogger logger, DnsEndPoint server);

    [LoggerMessage(2, LogLevel.Information, "Session establishment complete on server {Server}, session id = 0x{SessionId:x}, negotiated timeout = {Timeout} ms, read-only = {ReadOnly}")]
    public static partial void Connected(ILogger logger, DnsEndPoint server, long sessionId, int timeout, bool readOnly);

    [LoggerMessage(3, LogLevel.Information, "Could not connect to {Server}")]
    public static partial void ConnectFailed(ILogger logger, DnsEndPoint server, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "Connection to {Server} lost for session 0x{SessionId:x}, reconnecting")]
    public static partial void ConnectionLost(ILogger logger, DnsEndPoint server, long sessionId, Exception exception);

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

    [LoggerMessage(10, LogLevel.Warning, "Guaranteed delete of {Path} will be retried in the background")]
    public static partial void GuaranteedDeleteQueued(ILogger logger, string path, Exception exception);

    [LoggerMessage(11, LogLevel.Warning, "Guaranteed delete of {Path} gave up")]
    public static partial void GuaranteedDeleteGaveUp(ILogger logger, string path, Exception exception);
}
