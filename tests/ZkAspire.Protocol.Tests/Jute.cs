// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections;
using System.Reflection;

namespace ZkAspire.Protocol.Tests;

/// <summary>Encoding and decoding helpers for tests.</summary>
internal static class Jute
{
    /// <summary>Encodes one record, without a frame length.</summary>
    public static byte[] Encode(IJuteRecord record)
    {
        using var writer = new JuteWriter();
        record.Write(writer);
        return writer.ToArray();
    }

    /// <summary>Encodes a frame: the length, then each record in turn.</summary>
    public static byte[] Frame(params IJuteRecord[] records)
    {
        using var writer = new JuteWriter();
        var mark = writer.BeginFrame();
        foreach (var record in records)
        {
            record.Write(writer);
        }

        writer.EndFrame(mark);
        return writer.ToArray();
    }

    /// <summary>Decodes a record that must take every byte.</summary>
    public static T Decode<T>(ReadOnlySpan<byte> bytes)
        where T : IJuteRecord<T>
    {
        var reader = new JuteReader(bytes);
        var record = T.Read(ref reader);
        Assert.True(reader.IsAtEnd, $"{typeof(T).Name} left {reader.Remaining} of {bytes.Length} bytes unread.");
        return record;
    }

    /// <summary>Decodes a record of a type known only at run time; it must take every byte.</summary>
    public static IJuteRecord Decode(Type type, byte[] bytes) => Decoder(type, requireEnd: true)(bytes);

    /// <summary>
    /// A decoder for a record type known only at run time, calling its static Read directly (a
    /// delegate, not MethodInfo.Invoke, so exceptions escape unwrapped).
    /// </summary>
    public static Func<byte[], IJuteRecord> Decoder(Type type, bool requireEnd)
    {
        var method = typeof(Jute)
            .GetMethod(requireEnd ? nameof(DecodeWhole) : nameof(DecodePrefix), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type);
        return method.CreateDelegate<Func<byte[], IJuteRecord>>();
    }

    private static IJuteRecord DecodeWhole<T>(byte[] bytes)
        where T : IJuteRecord<T> => Decode<T>(bytes);

    private static IJuteRecord DecodePrefix<T>(byte[] bytes)
        where T : IJuteRecord<T>
    {
        var reader = new JuteReader(bytes);
        return T.Read(ref reader);
    }

    /// <summary>Bytes allocated on this thread while running <paramref name="action"/>.</summary>
    public static long AllocatedBytes(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Every concrete record type of the protocol library that can be read back.</summary>
    public static IReadOnlyList<Type> ReadableRecordTypes { get; } =
    [
        .. typeof(IJuteRecord).Assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract && !t.IsInterface)
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IJuteRecord<>)))
            .OrderBy(t => t.Name, StringComparer.Ordinal),
    ];
}

/// <summary>
/// Deep equality for records whose fields hold arrays and lists (which C# records compare by
/// reference): byte arrays by content, lists element by element, records property by property.
/// </summary>
internal static class Structural
{
    public static void AssertEqual(object? expected, object? actual, string path = "record")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {Show(expected)}, got {Show(actual)}.");
            return;
        }

        if (expected is IEnumerable sequence and not string and not byte[])
        {
            var left = sequence.Cast<object?>().ToList();
            var right = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(left.Count == right.Count, $"{path}: expected {left.Count} elements, got {right.Count}.");
            for (var i = 0; i < left.Count; i++)
            {
                AssertEqual(left[i], right[i], $"{path}[{i}]");
            }

            return;
        }

        Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}.");
        if (expected is string or Enum || expected.GetType().IsPrimitive)
        {
            Assert.True(expected.Equals(actual), $"{path}: expected {Show(expected)}, got {Show(actual)}.");
            return;
        }

        if (expected is byte[] bytes)
        {
            Assert.True(bytes.AsSpan().SequenceEqual((byte[])actual), $"{path}: expected [{Hex.Format(bytes)}], got [{Hex.Format((byte[])actual)}].");
            return;
        }

        var properties = expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .ToList();
        if (properties.Count == 0)
        {
            Assert.True(expected.Equals(actual), $"{path}: expected {Show(expected)}, got {Show(actual)}.");
            return;
        }

        foreach (var property in properties)
        {
            AssertEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => value.ToString() ?? "?",
    };
}
