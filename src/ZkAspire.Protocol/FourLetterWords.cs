// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Text;

namespace ZkAspire.Protocol;

/// <summary>
/// The four-letter words: four ASCII bytes sent instead of a first frame length, answered with
/// text and a close.
/// </summary>
public static class FourLetterWords
{
    /// <summary>Gets every command ZooKeeper 3.8 and 3.9 know.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "ruok", "isro", "srvr", "stat", "mntr", "conf", "cons", "crst", "srst", "envi", "wchs", "wchc", "wchp", "dump",
        "dirs", "gtmk", "stmk", "hash",
    ];

    /// <summary>Whether the first four bytes of a connection, read as a big-endian int, name a known command.</summary>
    /// <param name="value">The int.</param>
    /// <param name="command">The command.</param>
    /// <returns><see langword="true"/> for a known command.</returns>
    public static bool TryGetCommand(int value, out string command)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        foreach (var b in bytes)
        {
            if (b is < (byte)'a' or > (byte)'z')
            {
                command = string.Empty;
                return false;
            }
        }

        var text = Encoding.ASCII.GetString(bytes);
        foreach (var known in All)
        {
            if (known == text)
            {
                command = known;
                return true;
            }
        }

        command = string.Empty;
        return false;
    }

    /// <summary>The int a command's four bytes make.</summary>
    /// <param name="command">A four-letter command.</param>
    /// <returns>The big-endian int.</returns>
    public static int ToInt(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Length != 4)
        {
            throw new ArgumentException("A four-letter word has four letters.", nameof(command));
        }

        return BinaryPrimitives.ReadInt32BigEndian(Encoding.ASCII.GetBytes(command));
    }
}
