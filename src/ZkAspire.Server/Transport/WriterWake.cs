// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Transport;

/// <summary>
/// Wakes a connection's or a peer link's writer that waits on a signal: on the calling thread (the
/// event loop after a batch; the writer's continuation runs synchronously there until its send
/// pends) or on the thread pool.
/// </summary>
internal static class WriterWake
{
    /// <summary>Releases the writer waiting on <paramref name="signal"/>, if any.</summary>
    /// <param name="signal">The signal the writer waits on, or <see langword="null"/> when it is not waiting.</param>
    /// <param name="sendNow">Whether the writer runs on the calling thread rather than on the pool.</param>
    public static void Release(TaskCompletionSource? signal, bool sendNow)
    {
        if (signal is null)
        {
            return;
        }

        if (sendNow)
        {
            signal.TrySetResult();
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.TrySetResult(), signal, preferLocal: false);
        }
    }
}
