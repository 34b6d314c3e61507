// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Security.Cryptography;

namespace ZkAspire.Server.Storage;

/// <summary>
/// The secret session passwords are derived from (<c>ReplicaOptions.SessionSecret</c>), kept in
/// <c>dataDir/zkaspire-1/session-secret</c>: 32 random bytes made at the first start, readable by
/// the owner only. Restored sessions can only be resumed if the restarted server derives the same
/// passwords, so the secret must outlive the process like the snapshots do.
/// </summary>
public static class SessionSecretFile
{
    /// <summary>The secret's length.</summary>
    public const int Length = 32;

    /// <summary>Reads the secret, or makes and durably stores a new one.</summary>
    /// <param name="options">Where the data directory is.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <returns>The secret.</returns>
    /// <exception cref="StorageCorruptionException">The file exists but is not a secret.</exception>
    public static byte[] LoadOrCreate(StorageOptions options, IStorageFileSystem? fileSystem = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fs = fileSystem ?? LocalFileSystem.Instance;
        var directory = options.SnapshotDirectory;
        var path = Path.Combine(directory, StorageLayout.SecretFile);
        fs.CreateDirectory(directory);
        if (fs.Exists(path))
        {
            using var existing = fs.Open(path, StorageFileMode.Read);
            var secret = new byte[Length];
            if (existing.Length != Length || existing.Read(secret, 0) != Length)
            {
                throw new StorageCorruptionException($"the session secret must be {Length} bytes; it is {existing.Length}", path, 0);
            }

            return secret;
        }

        var fresh = RandomNumberGenerator.GetBytes(Length);
        var temp = path + StorageLayout.TempSuffix;
        fs.Delete(temp);
        using (var file = fs.Open(temp, StorageFileMode.CreateNew))
        {
            file.Write(fresh, 0);
            file.Sync();
        }

        if (!OperatingSystem.IsWindows() && fs is LocalFileSystem)
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        fs.Move(temp, path);
        fs.SyncDirectory(directory);
        return fresh;
    }
}
