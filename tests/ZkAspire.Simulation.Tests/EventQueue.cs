// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Simulation.Tests;

/// <summary>The virtual clock and what happens at each instant, in a deterministic order (time, then scheduling order).</summary>
internal sealed class EventQueue
{
    private readonly PriorityQueue<(SimServer? Target, Action Action), (long Time, long Sequence)> _queue = new();
    private long _sequence;
    private long _frontSequence = long.MinValue;

    public long NowMs { get; private set; }

    public int Count => _queue.Count;

    public void At(long timeMs, SimServer? target, Action action) =>
        _queue.Enqueue((target, action), (Math.Max(timeMs, NowMs), _sequence++));

    public void After(long delayMs, SimServer? target, Action action) => At(NowMs + delayMs, target, action);

    /// <summary>
    /// Puts an event that was due while its server was paused back at the front of the queue:
    /// it runs now, before anything else due now, and in the order it was parked (a paused
    /// process reads its sockets in order when it resumes).
    /// </summary>
    public void Reinject(SimServer target, Action action) => _queue.Enqueue((target, action), (NowMs, _frontSequence++));

    /// <summary>Runs the next event at or before <paramref name="untilMs"/>; events of a paused server wait for it.</summary>
    public bool RunNext(long untilMs)
    {
        if (!_queue.TryPeek(out var item, out var key) || key.Time > untilMs)
        {
            NowMs = Math.Max(NowMs, untilMs);
            return false;
        }

        _queue.Dequeue();
        NowMs = key.Time;
        if (item.Target is { Paused: true } paused)
        {
            // SIGSTOP: nothing is lost, everything waits (sockets buffer, the disk finishes).
            paused.Parked.Add(item.Action);
            return true;
        }

        item.Action();
        return true;
    }
}
