// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers;
using System.Buffers.Binary;

namespace ZkAspire.Protocol;

/// <summary>
/// Length-prefixed framing: every message is a 4-byte big-endian signed length followed by that
/// many bytes.
/// </summary>
public static class Framing
{
    /// <summary>The size of the length prefix.</summary>
    public const int HeaderSize = 4;

    /// <summary>
    /// Takes one whole frame off the front of <paramref name="buffer"/>, if one has arrived.
    /// </summary>
    /// <param name="buffer">The bytes received so far; on success, advanced past the frame.</param>
    /// <param name="maxFrameLength">The largest payload accepted (<c>jute.maxbuffer</c>).</param>
    /// <param name="payload">The frame's payload, without the length.</param>
    /// <returns><see langword="true"/> if a whole frame was there.</returns>
    /// <exception cref="ProtocolException">The length is negative or larger than <paramref name="maxFrameLength"/>.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameLength, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (!TryPeekLength(buffer, out var length))
        {
            return false;
        }

        CheckLength(length, maxFrameLength);
        if (buffer.Length - HeaderSize < length)
        {
            return false;
        }

        payload = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>Reads the first four bytes as a big-endian int, without consuming them.</summary>
    /// <param name="buffer">The bytes received so far.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> if four bytes have arrived.</returns>
    public static bool TryPeekLength(ReadOnlySequence<byte> buffer, out int value)
    {
        value = 0;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(prefix);
        value = BinaryPrimitives.ReadInt32BigEndian(prefix);
        return true;
    }

    /// <summary>Checks a frame length.</summary>
    /// <param name="length">The length read from the wire.</param>
    /// <param name="maxFrameLength">The largest payload accepted.</param>
    /// <exception cref="ProtocolException">The length is negative or too large.</exception>
    public static void CheckLength(int length, int maxFrameLength)
    {
        if (length < 0)
        {
            throw new ProtocolException($"Negative frame length {length}.");
        }

        if (length > maxFrameLength)
        {
            throw new ProtocolException($"Frame length {length} exceeds jute.maxbuffer ({maxFrameLength}).");
        }
    }

    /// <summary>Writes one frame holding a record.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="writer">The writer.</param>
    /// <param name="record">The record.</param>
    public static void WriteFrame<T>(JuteWriter writer, T record)
        where T : IJuteRecord
    {
        ArgumentNullException.ThrowIfNull(writer);
        var mark = writer.BeginFrame();
        record.Write(writer);
        writer.EndFrame(mark);
    }

    /// <summary>Writes one frame holding a header and an optional body.</summary>
    /// <typeparam name="THeader">The header type.</typeparam>
    /// <param name="writer">The writer.</param>
    /// <param name="header">The request or reply header.</param>
    /// <param name="body">The body, if any.</param>
    public static void WriteFrame<THeader>(JuteWriter writer, THeader header, IJuteRecord? body)
        where THeader : IJuteRecord
    {
        ArgumentNullException.ThrowIfNull(writer);
        var mark = writer.BeginFrame();
        header.Write(writer);
        body?.Write(writer);
        writer.EndFrame(mark);
    }
}
