// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Threading.Tasks.Sources;

namespace ZkAspire.Server.Transport;

/// <summary>
/// What an idle connection's or peer link's writer waits on: one per writer, reused for every
/// wait, so a wake allocates nothing (a <see cref="TaskCompletionSource"/> and its task per wait
/// did, and a writer waits once per batch it sends).
/// </summary>
/// <remarks>
/// The writer arms it under its output lock and marks itself waiting there; whoever then takes
/// the wake under that lock (a flush with output queued, a close) clears the mark and releases it
/// once, so it is never released twice nor armed while a wait is pending. The writer's
/// continuation runs on the releasing thread (the event loop after a batch: it sends until its
/// send pends) or on the thread pool.
/// </remarks>
internal sealed class WriterSignal : IValueTaskSource, IThreadPoolWorkItem
{
    // Continuations run synchronously, on the thread that completes the wait.
    private ManualResetValueTaskSourceCore<bool> _core;

    /// <summary>Starts a wait (the writer, under its output lock, its previous wait over).</summary>
    /// <returns>What the writer awaits.</returns>
    public ValueTask ArmAsync()
    {
        _core.Reset();
        return new ValueTask(this, _core.Version);
    }

    /// <summary>Ends the wait that was armed (once, by whoever took the wake under the writer's lock).</summary>
    /// <param name="inline">Whether the writer runs on the calling thread rather than on the pool.</param>
    public void Release(bool inline)
    {
        if (inline)
        {
            _core.SetResult(true);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <inheritdoc/>
    void IThreadPoolWorkItem.Execute() => _core.SetResult(true);

    /// <inheritdoc/>
    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    /// <inheritdoc/>
    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
