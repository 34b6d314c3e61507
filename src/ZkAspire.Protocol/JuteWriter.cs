// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ZkAspire.Protocol;

/// <summary>
/// Writes jute-encoded values into a growable buffer rented from an <see cref="ArrayPool{T}"/>,
/// and frames them with a 4-byte big-endian length.
/// </summary>
/// <remarks>Not thread-safe. Dispose returns the buffer to the pool.</remarks>
public sealed class JuteWriter : IBufferWriter<byte>, IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ArrayPool<byte> _pool;
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer.</summary>
    /// <param name="initialCapacity">The first buffer's size.</param>
    /// <param name="pool">The pool to rent from; the shared pool by default.</param>
    public JuteWriter(int initialCapacity = 256, ArrayPool<byte>? pool = null)
    {
        _pool = pool ?? ArrayPool<byte>.Shared;
        _buffer = _pool.Rent(Math.Max(16, initialCapacity));
    }

    /// <summary>Gets the number of bytes written.</summary>
    public int Length => _length;

    /// <summary>Gets the bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Gets the bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>Gets the size of the buffer: what can be written before it grows.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Clear() => _length = 0;

    /// <summary>Forgets what was written after the first <paramref name="length"/> bytes (a record begun and given up).</summary>
    /// <param name="length">The length to keep, at most <see cref="Length"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or more than <see cref="Length"/>.</exception>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _length);
        _length = length;
    }

    /// <summary>Copies the written bytes into a new array.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Writes one byte.</summary>
    /// <param name="value">The byte.</param>
    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    /// <summary>Writes a boolean as one byte, 0 or 1.</summary>
    /// <param name="value">The value.</param>
    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a big-endian 32-bit integer.</summary>
    /// <param name="value">The value.</param>
    public void WriteInt(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    /// <summary>Writes a big-endian 64-bit integer.</summary>
    /// <param name="value">The value.</param>
    public void WriteLong(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>Writes a length-prefixed buffer; <see langword="null"/> is written as length −1.</summary>
    /// <param name="value">The bytes.</param>
    public void WriteBuffer(byte[]? value)
    {
        if (value is null)
        {
            WriteInt(-1);
            return;
        }

        WriteBuffer(value.AsSpan());
    }

    /// <summary>Writes a length-prefixed buffer.</summary>
    /// <param name="value">The bytes.</param>
    public void WriteBuffer(ReadOnlySpan<byte> value)
    {
        WriteInt(value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Writes raw bytes with no length prefix.</summary>
    /// <param name="value">The bytes.</param>
    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Writes a length-prefixed UTF-8 string; <see langword="null"/> is written as length −1.</summary>
    /// <param name="value">The string.</param>
    /// <exception cref="ProtocolException">The string holds an unpaired surrogate.</exception>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt(-1);
            return;
        }

        int byteCount;
        try
        {
            byteCount = StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ProtocolException("A string holds an unpaired surrogate and cannot be encoded as UTF-8.", e);
        }

        WriteInt(byteCount);
        Ensure(byteCount);
        _length += StrictUtf8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>Writes a nested record.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="record">The record.</param>
    public void WriteRecord<T>(T record)
        where T : IJuteRecord => record.Write(this);

    /// <summary>Writes a vector of records; <see langword="null"/> is written as count −1.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="items">The elements.</param>
    public void WriteVector<T>(IReadOnlyList<T>? items)
        where T : IJuteRecord
    {
        if (items is null)
        {
            WriteInt(-1);
            return;
        }

        WriteInt(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            items[i].Write(this);
        }
    }

    /// <summary>Writes a vector of strings; <see langword="null"/> is written as count −1.</summary>
    /// <param name="items">The strings.</param>
    public void WriteStringVector(IReadOnlyList<string>? items)
    {
        if (items is null)
        {
            WriteInt(-1);
            return;
        }

        WriteInt(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            WriteString(items[i]);
        }
    }

    /// <summary>Reserves the 4-byte length of a frame.</summary>
    /// <returns>A mark to pass to <see cref="EndFrame"/>.</returns>
    public int BeginFrame()
    {
        var mark = _length;
        WriteInt(0);
        return mark;
    }

    /// <summary>Fills in the length of the frame begun at <paramref name="mark"/>.</summary>
    /// <param name="mark">What <see cref="BeginFrame"/> returned.</param>
    /// <returns>The frame's payload length.</returns>
    public int EndFrame(int mark)
    {
        var payload = _length - mark - 4;
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(mark, 4), payload);
        return payload;
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if (count < 0 || _length + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _length += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(1, sizeHint));
        return _buffer.AsMemory(_length);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(1, sizeHint));
        return _buffer.AsSpan(_length);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            _pool.Return(buffer);
        }
    }

    private void Ensure(int count)
    {
        if (_buffer.Length - _length >= count)
        {
            return;
        }

        var needed = (long)_length + count;
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException("The record is too large to encode.");
        }

        var size = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2));
        var next = _pool.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        if (_buffer.Length > 0)
        {
            _pool.Return(_buffer);
        }

        _buffer = next;
    }
}
