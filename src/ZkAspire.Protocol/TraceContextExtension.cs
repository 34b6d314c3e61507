// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>
/// ZkAspire's trace-context extension of the client protocol, negotiated per connection so that
/// stock ZooKeeper clients and servers never see it (docs/telemetry.md, "Trace propagation").
/// </summary>
/// <remarks>
/// <para>
/// The client asks by appending a <see cref="ConnectExtension"/> after the readOnly byte of its
/// <see cref="ConnectRequest"/>. Apache ZooKeeper's <c>ZooKeeperServer.processConnectRequest</c>
/// reads the five fields and the readOnly boolean and never looks at the rest of the frame, so a
/// stock server ignores the request and answers the ordinary 37-byte ConnectResponse.
/// </para>
/// <para>
/// A ZkAspire server that accepts appends a <see cref="ConnectExtension"/> with the features it
/// grants after the readOnly byte of its <see cref="ConnectResponse"/>, and only to a client that
/// asked: stock clients never receive it (the C client reads the handshake into a fixed 40/41-byte
/// buffer, so extra bytes there would not be harmless).
/// </para>
/// <para>
/// Once both sides agreed, the client may send a request as a <see cref="TracedRequestType"/>
/// frame: the ordinary header with this opcode, a <see cref="TraceContextHeader"/> (W3C traceparent,
/// tracestate and the real opcode), then the real request body. Without the agreement the opcode is
/// unknown and the server answers −6 Unimplemented and closes the connection, as for any unknown
/// opcode (§6).
/// </para>
/// </remarks>
public static class TraceContextExtension
{
    /// <summary>The marker that opens an extension block: the ASCII bytes <c>ZKAx</c> (0x5A4B4178).</summary>
    public const int Magic = 0x5A4B4178;

    /// <summary>The feature bit of trace-context propagation.</summary>
    public const int TraceContextFeature = 1;

    /// <summary>
    /// The opcode of a request that carries a trace context (0x5A4B0001). Far from ZooKeeper's
    /// opcode ranges (−11…22 and 100…107), so no future Apache opcode collides with it.
    /// </summary>
    public const int TracedRequestType = 0x5A4B0001;

    /// <summary>The longest traceparent accepted, in UTF-8 bytes (version 00 is 55; later versions may append fields).</summary>
    public const int MaxTraceParentBytes = 256;

    /// <summary>The longest tracestate accepted, in UTF-8 bytes (W3C Trace Context asks vendors to propagate at least 512).</summary>
    public const int MaxTraceStateBytes = 1024;
}

/// <summary>
/// The extension block after the readOnly byte of a ConnectRequest (features asked for) or a
/// ConnectResponse (features granted): <c>magic:int</c> (<see cref="TraceContextExtension.Magic"/>),
/// <c>features:int</c> (bits, <see cref="TraceContextExtension.TraceContextFeature"/>).
/// </summary>
/// <param name="Features">The feature bits.</param>
public sealed record ConnectExtension(int Features) : IJuteRecord<ConnectExtension>
{
    /// <summary>The encoded size.</summary>
    public const int EncodedSize = 8;

    /// <summary>Gets whether trace-context propagation is asked for or granted.</summary>
    public bool TraceContext => (Features & TraceContextExtension.TraceContextFeature) != 0;

    /// <summary>Reads the block if the bytes left start with the magic; anything else is ignored, as ZooKeeper ignores trailing bytes.</summary>
    /// <param name="reader">A reader positioned after the readOnly byte.</param>
    /// <returns>The block, or <see langword="null"/> when there is none.</returns>
    public static ConnectExtension? TryRead(ref JuteReader reader)
    {
        if (reader.Remaining < EncodedSize)
        {
            return null;
        }

        var probe = reader;
        if (probe.ReadInt() != TraceContextExtension.Magic)
        {
            return null;
        }

        reader = probe;
        return new ConnectExtension(reader.ReadInt());
    }

    /// <inheritdoc/>
    /// <exception cref="ProtocolException">The bytes do not start with the magic.</exception>
    public static ConnectExtension Read(ref JuteReader reader) =>
        TryRead(ref reader) ?? throw new ProtocolException("No ZkAspire connect extension: the magic is missing.");

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(TraceContextExtension.Magic);
        writer.WriteInt(Features);
    }
}

/// <summary>
/// What follows the request header of a <see cref="TraceContextExtension.TracedRequestType"/>
/// frame, before the real request body: <c>traceparent:ustring</c>, <c>tracestate:ustring</c>
/// (−1 for none), <c>type:int</c> (the real opcode).
/// </summary>
/// <param name="TraceParent">The W3C traceparent of the client's span, e.g. <c>00-&lt;32 hex&gt;-&lt;16 hex&gt;-01</c>.</param>
/// <param name="TraceState">The W3C tracestate, if any.</param>
/// <param name="Type">The real opcode.</param>
public sealed record TraceContextHeader(string TraceParent, string? TraceState, int Type) : IJuteRecord<TraceContextHeader>
{
    /// <inheritdoc/>
    /// <exception cref="ProtocolException">The header is truncated, or its strings are missing or too long.</exception>
    public static TraceContextHeader Read(ref JuteReader reader)
    {
        var traceParent = reader.ReadRequiredString("traceparent");
        var traceState = reader.ReadString();
        if (System.Text.Encoding.UTF8.GetByteCount(traceParent) > TraceContextExtension.MaxTraceParentBytes)
        {
            throw new ProtocolException($"The traceparent is longer than {TraceContextExtension.MaxTraceParentBytes} bytes.");
        }

        if (traceState is not null && System.Text.Encoding.UTF8.GetByteCount(traceState) > TraceContextExtension.MaxTraceStateBytes)
        {
            throw new ProtocolException($"The tracestate is longer than {TraceContextExtension.MaxTraceStateBytes} bytes.");
        }

        var type = reader.ReadInt();
        if (type == TraceContextExtension.TracedRequestType)
        {
            throw new ProtocolException("A traced request cannot wrap another traced request.");
        }

        return new TraceContextHeader(traceParent, traceState, type);
    }

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(TraceParent);
        writer.WriteString(TraceState);
        writer.WriteInt(Type);
    }
}
