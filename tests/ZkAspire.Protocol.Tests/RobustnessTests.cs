// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;

namespace ZkAspire.Protocol.Tests;

/// <summary>
/// Seeded, bounded mutation of valid frames: whatever the bytes, decoding throws nothing but
/// <see cref="ProtocolException"/> and allocates nothing sized by a claimed length.
/// </summary>
public sealed class RobustnessTests
{
    private const int Iterations = 4000;

    /// <summary>Values that lengths, counts and opcodes like to be: edges and off-by-ones.</summary>
    private static readonly int[] InterestingInts = [-1, -2, 0, 1, 4, 8, 9, 16, 68, 127, 255, 0x7FFF, 0xFFFF, JuteLimits.DefaultMaxBuffer, JuteLimits.DefaultMaxBuffer + 1, int.MaxValue, int.MinValue, int.MaxValue / 4];

    private static readonly int[] Opcodes = [.. Enum.GetValues<OpCode>().Select(o => (int)o), 10, 23, 99, 108, -2, -100];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MutatedRequestFramesOnlyEverThrowProtocolException(int seed)
    {
        var random = new Random(seed);
        var payloads = RecordSamples.RequestPayloads;
        var rejected = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var (name, _, valid) = payloads[random.Next(payloads.Count)];
            var mutated = Mutate(random, valid);
            if (random.Next(8) == 0 && mutated.Length >= 8)
            {
                BinaryPrimitives.WriteInt32BigEndian(mutated.AsSpan(4), Opcodes[random.Next(Opcodes.Length)]);
            }

            var outcome = Decode(mutated, payload =>
            {
                var reader = new JuteReader(payload);
                var header = reader.ReadRecord<RequestHeader>();
                RequestBodies.TryRead(header.OpCode, ref reader, out _);
            });
            rejected += outcome ? 0 : 1;
            AssertOutcome(seed, i, name, mutated);
        }

        // The mutations must actually break things, or this test proves nothing.
        Assert.InRange(rejected, Iterations / 10, Iterations);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void MutatedRecordsOfEveryTypeOnlyEverThrowProtocolException(int seed)
    {
        var random = new Random(seed);
        var samples = RecordSamples.All.ToList();
        var decoders = samples.Select(s => s.Value.GetType()).Distinct().ToDictionary(t => t, t => Jute.Decoder(t, requireEnd: false));
        var rejected = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var (name, sample) = samples[random.Next(samples.Count)];
            var mutated = Mutate(random, Jute.Encode(sample));
            var decode = decoders[sample.GetType()];
            var outcome = Decode(mutated, payload => decode(payload));
            rejected += outcome ? 0 : 1;
            AssertOutcome(seed, i, name, mutated);
        }

        Assert.InRange(rejected, Iterations / 10, Iterations);
    }

    private Exception? _unexpected;
    private long _allocated;

    /// <summary>Runs a decode; returns whether it succeeded; records anything unexpected.</summary>
    private bool Decode(byte[] payload, Action<byte[]> decode)
    {
        _unexpected = null;
        var succeeded = false;
        _allocated = Jute.AllocatedBytes(() =>
        {
            try
            {
                decode(payload);
                succeeded = true;
            }
            catch (ProtocolException)
            {
            }
            catch (Exception e)
            {
                _unexpected = e;
            }
        });
        return succeeded;
    }

    private void AssertOutcome(int seed, int iteration, string name, byte[] mutated)
    {
        var where = $"seed {seed}, iteration {iteration}, mutated from '{name}': {Hex.Format(mutated)}";
        if (_unexpected is not null)
        {
            Assert.Fail($"{_unexpected.GetType().Name} escaped ({where}): {_unexpected}");
        }

        // Decoded objects cost a small multiple of the bytes they came from (a 4-byte empty
        // string element costs an 8-byte array slot, a 12-byte ACL two small objects); an
        // allocation sized by a claimed length would be megabytes.
        var bound = (256 * 1024) + (64L * mutated.Length);
        Assert.True(_allocated <= bound, $"Decoding allocated {_allocated} bytes, more than {bound} ({where}).");
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        var bytes = new List<byte>(valid);
        var mutations = 1 + random.Next(4);
        for (var m = 0; m < mutations; m++)
        {
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    // Replace one byte.
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 1 when bytes.Count > 0:
                    // Flip one bit.
                    var at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2 when bytes.Count >= 4:
                    // Overwrite an int (a length, a count, a type) with an edge value.
                    var offset = random.Next(bytes.Count - 3);
                    var value = random.Next(3) == 0 ? bytes.Count - offset - 4 + random.Next(-2, 3) : InterestingInts[random.Next(InterestingInts.Length)];
                    var four = new byte[4];
                    BinaryPrimitives.WriteInt32BigEndian(four, value);
                    for (var k = 0; k < 4; k++)
                    {
                        bytes[offset + k] = four[k];
                    }

                    break;
                case 3 when bytes.Count > 0:
                    // Truncate.
                    var keep = random.Next(bytes.Count);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    break;
                case 4:
                    // Insert random bytes.
                    var insert = new byte[1 + random.Next(8)];
                    random.NextBytes(insert);
                    bytes.InsertRange(random.Next(bytes.Count + 1), insert);
                    break;
                case 5 when bytes.Count > 1:
                    // Duplicate a chunk (repeats fields, headers, vector elements).
                    var start = random.Next(bytes.Count);
                    var length = 1 + random.Next(Math.Min(32, bytes.Count - start));
                    bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(start, length));
                    break;
                case 6 when bytes.Count > 1:
                    // Delete a chunk.
                    var from = random.Next(bytes.Count);
                    bytes.RemoveRange(from, 1 + random.Next(Math.Min(8, bytes.Count - from)));
                    break;
            }
        }

        return [.. bytes];
    }
}
