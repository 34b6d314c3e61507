// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Storage;

/// <summary>How <see cref="IStorageFileSystem.Open"/> opens a file.</summary>
public enum StorageFileMode
{
    /// <summary>Read only; the file must exist.</summary>
    Read,

    /// <summary>Read and write; the file must exist.</summary>
    ReadWrite,

    /// <summary>Read and write a new file; fails if it exists.</summary>
    CreateNew,
}

/// <summary>
/// The file operations storage needs, as a seam: <see cref="LocalFileSystem"/> in production, and
/// in tests a wrapper that counts syncs or fails writes as a full disk does.
/// </summary>
public interface IStorageFileSystem
{
    /// <summary>Opens a file.</summary>
    /// <param name="path">The path.</param>
    /// <param name="mode">How.</param>
    /// <param name="preallocationSize">For <see cref="StorageFileMode.CreateNew"/>: bytes to reserve on the device (0 for none).</param>
    /// <returns>The open file.</returns>
    /// <exception cref="IOException">The file cannot be opened or created.</exception>
    IStorageFile Open(string path, StorageFileMode mode, long preallocationSize = 0);

    /// <summary>Lists the files of a directory whose names start with a prefix (names only), or none if the directory does not exist.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="prefix">The name prefix.</param>
    /// <returns>The names.</returns>
    IReadOnlyList<string> List(string directory, string prefix);

    /// <summary>Gets whether a file exists.</summary>
    /// <param name="path">The path.</param>
    /// <returns><see langword="true"/> if it does.</returns>
    bool Exists(string path);

    /// <summary>Deletes a file if it exists.</summary>
    /// <param name="path">The path.</param>
    void Delete(string path);

    /// <summary>Renames a file atomically, replacing the target.</summary>
    /// <param name="from">The current path.</param>
    /// <param name="to">The new path.</param>
    void Move(string from, string to);

    /// <summary>Creates a directory and its parents.</summary>
    /// <param name="directory">The directory.</param>
    void CreateDirectory(string directory);

    /// <summary>Makes a directory's entries durable (fsync of the directory), so that a created, renamed or deleted file stays so after a power loss.</summary>
    /// <param name="directory">The directory.</param>
    void SyncDirectory(string directory);
}

/// <summary>An open file, read and written at explicit offsets.</summary>
public interface IStorageFile : IDisposable
{
    /// <summary>Gets the file's length.</summary>
    long Length { get; }

    /// <summary>Sets the file's length (extending with zeros, or truncating).</summary>
    /// <param name="length">The length.</param>
    void SetLength(long length);

    /// <summary>Reads at an offset.</summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="offset">The file offset.</param>
    /// <returns>The bytes read; fewer than asked only at the end of the file.</returns>
    int Read(Span<byte> buffer, long offset);

    /// <summary>Writes at an offset, all of the bytes or an exception.</summary>
    /// <param name="buffer">The bytes.</param>
    /// <param name="offset">The file offset.</param>
    void Write(ReadOnlySpan<byte> buffer, long offset);

    /// <summary>Makes what was written durable: the data and the metadata needed to read it (fdatasync semantics).</summary>
    void Sync();
}
