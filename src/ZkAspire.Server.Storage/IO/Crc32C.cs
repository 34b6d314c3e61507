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

    /// <summary>Turns a running state into the CRC.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The CRC.</returns>
    public static uint Finish(uint state) => ~state;
}
