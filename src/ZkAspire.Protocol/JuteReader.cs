// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Text;

namespace ZkAspire.Protocol;

/// <summary>
/// Reads jute-encoded values (big-endian integers, length-prefixed buffers, strings and vectors)
/// from one frame held in memory.
/// </summary>
/// <remarks>
/// Every length the peer sends is checked against the bytes actually left in the frame before
/// anything is allocated, so a peer can never make us allocate more than it sent. Failures throw
/// <see cref="ProtocolException"/>, and nothing else.
/// </remarks>
public ref struct JuteReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _maxLength;
    private int _position;

    /// <summary>Creates a reader over one frame's payload.</summary>
    /// <param name="data">The bytes to read.</param>
    /// <param name="maxLength">
    /// The largest buffer or string length accepted (ZooKeeper: <c>jute.maxbuffer</c> plus
    /// <c>jute.maxbuffer.extrasize</c>).
    /// </param>
    public JuteReader(ReadOnlySpan<byte> data, int maxLength = JuteLimits.DefaultMaxBuffer * 2)
    {
        _data = data;
        _maxLength = maxLength;
        _position = 0;
    }

    /// <summary>Gets how many bytes have been read.</summary>
    public readonly int Position => _position;

    /// <summary>Gets how many bytes are left.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Gets whether every byte has been read.</summary>
    public readonly bool IsAtEnd => _position >= _data.Length;

    /// <summary>Reads one byte.</summary>
    /// <returns>The byte.</returns>
    public byte ReadByte()
    {
        Need(1, "byte");
        return _data[_position++];
    }

    /// <summary>Reads a boolean (any non-zero byte is true, as Java reads it).</summary>
    /// <returns>The value.</returns>
    public bool ReadBool() => ReadByte() != 0;

    /// <summary>Reads a big-endian 32-bit integer.</summary>
    /// <returns>The value.</returns>
    public int ReadInt()
    {
        Need(4, "int");
        var value = BinaryPrimitives.ReadInt32BigEndian(_data.Slice(_position, 4));
        _position += 4;
        return value;
    }

    /// <summary>Reads a big-endian 64-bit integer.</summary>
    /// <returns>The value.</returns>
    public long ReadLong()
    {
        Need(8, "long");
        var value = BinaryPrimitives.ReadInt64BigEndian(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    /// <summary>Reads a length-prefixed buffer; length −1 is null.</summary>
    /// <returns>A copy of the bytes, or <see langword="null"/>.</returns>
    public byte[]? ReadBuffer()
    {
        var span = ReadBufferSpan(out var isNull);
        return isNull ? null : span.ToArray();
    }

    /// <summary>Reads a length-prefixed buffer without copying it.</summary>
    /// <param name="isNull">Set when the length was −1.</param>
    /// <returns>The bytes, which alias the frame.</returns>
    public ReadOnlySpan<byte> ReadBufferSpan(out bool isNull)
    {
        var length = ReadLength("buffer");
        isNull = length < 0;
        if (isNull)
        {
            return default;
        }

        var span = _data.Slice(_position, length);
        _position += length;
        return span;
    }

    /// <summary>Reads a length-prefixed UTF-8 string; length −1 is null.</summary>
    /// <returns>The string, or <see langword="null"/>.</returns>
    public string? ReadString()
    {
        var length = ReadLength("string");
        if (length < 0)
        {
            return null;
        }

        var bytes = _data.Slice(_position, length);
        _position += length;
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ProtocolException("A string is not valid UTF-8.", e);
        }
    }

    /// <summary>Reads a string that the protocol requires to be present.</summary>
    /// <param name="field">The field's name, for the error message.</param>
    /// <returns>The string.</returns>
    public string ReadRequiredString(string field) =>
        ReadString() ?? throw new ProtocolException($"The field '{field}' is null.");

    /// <summary>Reads a nested record.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <returns>The record.</returns>
    public T ReadRecord<T>()
        where T : IJuteRecord<T> => T.Read(ref this);

    /// <summary>Reads a vector of records; count −1 is null.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <returns>The elements, or <see langword="null"/>.</returns>
    public T[]? ReadVector<T>()
        where T : IJuteRecord<T>
    {
        var count = ReadCount(T.MinEncodedSize);
        if (count < 0)
        {
            return null;
        }

        var items = new T[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = T.Read(ref this);
        }

        return items;
    }

    /// <summary>Reads a vector of strings; count −1 is null. Null elements are rejected.</summary>
    /// <returns>The strings, or <see langword="null"/>.</returns>
    public string[]? ReadStringVector()
    {
        var count = ReadCount(4);
        if (count < 0)
        {
            return null;
        }

        var items = new string[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = ReadRequiredString("vector element");
        }

        return items;
    }

    private int ReadLength(string what)
    {
        var length = ReadInt();
        if (length < -1)
        {
            throw new ProtocolException($"Negative {what} length {length}.");
        }

        if (length > _maxLength)
        {
            throw new ProtocolException($"The {what} length {length} exceeds the limit of {_maxLength} bytes.");
        }

        if (length > Remaining)
        {
            throw new ProtocolException($"The {what} length {length} runs past the end of the frame ({Remaining} bytes left).");
        }

        return length;
    }

    private int ReadCount(int minElementSize)
    {
        var count = ReadInt();
        if (count < -1)
        {
            throw new ProtocolException($"Negative vector count {count}.");
        }

        // Each element takes at least minElementSize bytes, so a count the remaining bytes
        // cannot hold is a lie: reject it before allocating the array.
        if (count > 0 && (long)count * Math.Max(1, minElementSize) > Remaining)
        {
            throw new ProtocolException($"The vector count {count} runs past the end of the frame ({Remaining} bytes left).");
        }

        return count;
    }

    private readonly void Need(int bytes, string what)
    {
        if (Remaining < bytes)
        {
            throw new ProtocolException($"The record is truncated: expected an {what} at offset {_position}.");
        }
    }
}
