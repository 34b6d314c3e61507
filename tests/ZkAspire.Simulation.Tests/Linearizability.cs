// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Simulation.Tests;

/// <summary>
/// A linearizability checker in the manner of Porcupine (Wing &amp; Gong's search with Lowe's
/// memoization): the operations on one znode must be explainable by some order of them, each
/// taking effect at one instant between its invocation and its reply, applied to a register model
/// (exists, data, version). An operation whose reply never came (connection loss) may take effect
/// at any time after its invocation, or never: its reply time is infinite. Keys are independent
/// (P-compositionality), so each is checked alone.
/// </summary>
internal static class Linearizability
{
    /// <summary>The register a znode is: whether it exists, its data and its version.</summary>
    internal readonly record struct Register(bool Exists, string? Value, int Version);

    /// <summary>Checks the operations of one key.</summary>
    /// <param name="ops">Writes (create, setData, conditional setData) and sync-reads of the key.</param>
    /// <param name="maxSteps">How much search to allow before giving up.</param>
    /// <returns>null if linearizable; otherwise why not (or that the search gave up).</returns>
    public static string? Check(IReadOnlyList<Operation> ops, long maxSteps = 20_000_000)
    {
        // The event list: each operation's call and return, in time order, calls before returns at one instant.
        var events = new List<Entry>(ops.Count * 2);
        for (var i = 0; i < ops.Count; i++)
        {
            var call = new Entry { IsCall = true, Op = ops[i], Index = i, Time = ops[i].InvokeMs };
            var ret = new Entry { IsCall = false, Op = ops[i], Index = i, Time = ops[i].ReturnMs };
            call.Match = ret;
            events.Add(call);
            events.Add(ret);
        }

        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : (a.IsCall == b.IsCall ? a.Index.CompareTo(b.Index) : (a.IsCall ? -1 : 1)));
        var head = new Entry();
        var prev = head;
        foreach (var e in events)
        {
            prev.Next = e;
            e.Prev = prev;
            prev = e;
        }

        var linearized = new ulong[(ops.Count + 63) / 64];
        var cache = new HashSet<(BitSetKey, Register)>();
        var stack = new Stack<(Entry Call, Register State)>();
        var state = new Register(false, null, 0);
        var entry = head.Next;
        long steps = 0;
        var deepest = 0;
        while (head.Next is not null)
        {
            if (++steps > maxSteps)
            {
                return $"the search gave up after {maxSteps} steps ({ops.Count} operations)";
            }

            if (entry!.IsCall)
            {
                var (ok, next) = Step(state, entry.Op);
                if (ok)
                {
                    linearized[entry.Index / 64] |= 1UL << (entry.Index % 64);
                    if (cache.Add((new BitSetKey((ulong[])linearized.Clone()), next)))
                    {
                        stack.Push((entry, state));
                        deepest = Math.Max(deepest, stack.Count);
                        state = next;
                        Lift(entry);
                        entry = head.Next;
                        continue;
                    }

                    linearized[entry.Index / 64] &= ~(1UL << (entry.Index % 64));
                }

                entry = entry.Next;
            }
            else
            {
                // A return reached before its call was placed: undo the last choice.
                if (stack.Count == 0)
                {
                    return Explain(ops, entry.Op, deepest);
                }

                var (call, before) = stack.Pop();
                state = before;
                linearized[call.Index / 64] &= ~(1UL << (call.Index % 64));
                Unlift(call);
                entry = call.Next;
            }
        }

        return null;
    }

    /// <summary>The model: what an operation with the outcome it had requires of the register, and what it leaves.</summary>
    internal static (bool Ok, Register Next) Step(Register s, Operation op)
    {
        var unknown = op.Outcome == Outcome.Unknown;
        switch (op.Kind)
        {
            case OpKind.Create:
                if (unknown)
                {
                    return (true, s.Exists ? s : new Register(true, op.Value, 0));
                }

                return op.Outcome == Outcome.Ok
                    ? (!s.Exists && op.Version == 0, new Register(true, op.Value, 0))
                    : (s.Exists, s);
            case OpKind.Write:
                if (unknown)
                {
                    return (true, s.Exists ? new Register(true, op.Value, s.Version + 1) : s);
                }

                return op.Outcome == Outcome.Ok
                    ? (s.Exists && op.Version == s.Version + 1, new Register(true, op.Value, s.Version + 1))
                    : (!s.Exists, s);
            case OpKind.Cas:
                var matches = s.Exists && s.Version == op.ExpectedVersion;
                if (unknown)
                {
                    return (true, matches ? new Register(true, op.Value, s.Version + 1) : s);
                }

                return op.Outcome switch
                {
                    Outcome.Ok => (matches && op.Version == s.Version + 1, new Register(true, op.Value, s.Version + 1)),
                    Outcome.BadVersion => (s.Exists && !matches, s),
                    _ => (!s.Exists, s),
                };
            default:
                return op.Outcome == Outcome.Ok
                    ? (s.Exists && s.Value == op.ReadValue && s.Version == op.Version, s)
                    : (!s.Exists, s);
        }
    }

    private static string Explain(IReadOnlyList<Operation> ops, Operation stuck, int deepest) =>
        $"not linearizable: no order explains operation {stuck} (the longest explainable prefix had {deepest} of {ops.Count} operations)";

    private static void Lift(Entry call)
    {
        call.Prev!.Next = call.Next;
        call.Next!.Prev = call.Prev;
        var ret = call.Match!;
        ret.Prev!.Next = ret.Next;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret.Prev;
        }
    }

    private static void Unlift(Entry call)
    {
        var ret = call.Match!;
        ret.Prev!.Next = ret;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret;
        }

        call.Prev!.Next = call;
        call.Next!.Prev = call;
    }

    private sealed class Entry
    {
        public bool IsCall { get; init; }

        public Operation Op { get; init; } = null!;

        public int Index { get; init; }

        public long Time { get; init; }

        public Entry? Match { get; set; }

        public Entry? Prev { get; set; }

        public Entry? Next { get; set; }
    }

    private readonly struct BitSetKey(ulong[] bits) : IEquatable<BitSetKey>
    {
        private readonly ulong[] _bits = bits;

        public bool Equals(BitSetKey other) => _bits.AsSpan().SequenceEqual(other._bits);

        public override bool Equals(object? obj) => obj is BitSetKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = default(HashCode);
            foreach (var word in _bits)
            {
                hash.Add(word);
            }

            return hash.ToHashCode();
        }
    }
}
