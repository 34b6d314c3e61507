// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Transport;

/// <summary>
/// The event loop's inputs: many writers (connection readers, the txn log's writer thread, peer
/// links, timers), one reader, the loop's own thread, which a writer wakes directly.
/// </summary>
/// <remarks>
/// The loop used to be an async method awaiting a channel, so every input that found it idle
/// queued its continuation to the shared thread pool. A durable write waits for one such wake
/// when its request arrives and another when its sync completes, and on a busy two-core machine
/// a pool wake (behind the connection readers' work items, after the pool's spinning workers
/// yield) cost more than the fsync (docs/performance.md, "The event loop on its own thread").
/// ZooKeeper's request processors are dedicated threads handing requests on through queues too.
/// A writer takes the lock only to append, and pulses only when the loop is asleep; the loop
/// takes everything queued in one swap.
/// </remarks>
internal sealed class LoopQueue
{
    private readonly object _gate = new();
    private List<LoopInput> _inputs = [];
    private bool _waiting;
    private bool _completed;

    /// <summary>Queues an input (any thread); false once the queue is completed.</summary>
    /// <param name="input">The input.</param>
    /// <returns>Whether it was queued.</returns>
    public bool TryWrite(in LoopInput input)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _inputs.Add(input);
            if (_waiting)
            {
                _waiting = false;
                Monitor.Pulse(_gate);
            }
        }

        return true;
    }

    /// <summary>Takes no more inputs; the loop ends once it has taken those queued.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            if (_waiting)
            {
                _waiting = false;
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>
    /// Waits until inputs are queued and swaps them into <paramref name="batch"/> (the loop's thread
    /// only; <paramref name="batch"/> must be empty, and becomes the list writers append to next).
    /// </summary>
    /// <param name="batch">The loop's empty list; on return, the inputs taken.</param>
    /// <returns>False when the queue is completed and empty.</returns>
    public bool TakeAll(ref List<LoopInput> batch)
    {
        lock (_gate)
        {
            while (_inputs.Count == 0)
            {
                if (_completed)
                {
                    return false;
                }

                _waiting = true;
                Monitor.Wait(_gate);
            }

            (_inputs, batch) = (batch, _inputs);
            return true;
        }
    }
}
