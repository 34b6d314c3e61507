// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using ZkAspire.Protocol;

namespace ZkAspire.Client.Internal;

/// <summary>
/// Reuses the writers requests are serialized into, so a request costs no buffer allocation once
/// the pool is warm. Writers that grew beyond <see cref="MaxRetainedBytes"/> are not kept.
/// </summary>
internal static class JuteWriterPool
{
    private const int MaxPooled = 256;
    private const int MaxRetainedBytes = 64 * 1024;
    private static readonly ConcurrentQueue<JuteWriter> Pool = new();
    private static int _count;

    public static JuteWriter Rent()
    {
        if (Pool.TryDequeue(out var writer))
        {
            Interlocked.Decrement(ref _count);
            return writer;
        }

        return new JuteWriter(256);
    }

    public static void Return(JuteWriter writer)
    {
        if (writer.Length > MaxRetainedBytes)
        {
            writer.Dispose();
            return;
        }

        if (Interlocked.Increment(ref _count) > MaxPooled)
        {
            Interlocked.Decrement(ref _count);
            writer.Dispose();
            return;
        }

        writer.Clear();
        Pool.Enqueue(writer);
    }
}
