// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Numerics;

namespace ZkAspire.Server.Storage;

/// <summary>
/// CRC-32C (Castagnoli, the checksum of iSCSI, ext4 metadata and etcd's WAL), through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>, which uses the SSE4.2 / ARMv8 CRC instruction
/// where there is one. Chosen over ZooKeeper's Adler-32 because it catches every burst error up
/// to 32 bits, and over CRC-32 (IEEE) because the hardware computes it.
/// </summary>
internal static class Crc32C
{
    /// <summary>The initial state.</summary>
    public const uint Seed = 0xFFFF_FFFF;

    /// <summary>Checksums a block.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The CRC.</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Seed, data));

    /// <summary>Adds bytes to a running state.</summary>
    /// <param name="state">The state (<see cref="Seed"/> to start).</param>
    /// <param name="data">The bytes.</param>
    /// <returns>The new state.</returns>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }

        return state;
    }

    /// <summary>
    /// Adds the same bytes to two running states in one pass: a snapshot chunk's own CRC and the
    /// whole file's. The two dependency chains interleave, so the CPU's CRC unit (one result every
    /// cycle, three cycles' latency) computes both in about the time of one.
    /// </summary>
    /// <param name="first">The first state.</param>
    /// <param name="second">The second state.</param>
    /// <param name="data">The bytes.</param>
    public static void Append(ref uint first, ref uint second, ReadOnlySpan<byte> data)
    {
        var a = first;
        var b = second;
        while (data.Length >= 8)
        {
            var word = BinaryPrimitives.ReadUInt64LittleEndian(data);
            a = BitOperations.Crc32C(a, word);
            b = BitOperations.Crc32C(b, word);
            data = data[8..];
        }

        foreach (var x in data)
        {
            a = BitOperations.Crc32C(a, x);
            b = BitOperations.Crc32C(b, x);
        }

        first = a;
        second = b;
    }

    /// <summary>Turns a running state into the CRC.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The CRC.</returns>
    public static uint Finish(uint state) => ~state;
}
