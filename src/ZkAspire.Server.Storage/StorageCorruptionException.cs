// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Storage;

/// <summary>
/// The data directory cannot be recovered without losing acknowledged data or guessing: damage
/// in the middle of the log, a gap in zxids, no usable snapshot. The server must stop (and exit
/// non-zero) with <see cref="Exception.Message"/>, which names the file and offset.
/// </summary>
public sealed class StorageCorruptionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageCorruptionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and where.</param>
    public StorageCorruptionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and where.</param>
    /// <param name="innerException">The cause.</param>
    public StorageCorruptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one place in one file.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="path">The file.</param>
    /// <param name="offset">The byte offset, if known.</param>
    public StorageCorruptionException(string message, string path, long? offset)
        : base(offset is null ? $"{path}: {message}" : $"{path} at offset {offset}: {message}")
    {
        FilePath = path;
        Offset = offset;
    }

    /// <summary>Gets the damaged file, if one is to blame.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the byte offset of the damage, if known.</summary>
    public long? Offset { get; }
}
