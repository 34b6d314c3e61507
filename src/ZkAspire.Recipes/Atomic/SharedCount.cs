// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using ZkAspire.Client;

namespace ZkAspire.Recipes.Atomic;

/// <summary>
/// A shared counter (Curator's <c>SharedCount</c>): a <see cref="SharedValue"/> holding a 32-bit
/// integer as 4 big-endian bytes, as Curator stores it.
/// </summary>
public sealed class SharedCount : IAsyncDisposable
{
    private readonly SharedValue _value;

    /// <summary>Creates a shared counter; call <see cref="StartAsync"/> before use.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The counter's node.</param>
    /// <param name="seedValue">The count the node is created with when it does not exist.</param>
    /// <param name="logger">Where failed background reads are logged.</param>
    public SharedCount(ZooKeeperClient client, string path, int seedValue, ILogger? logger = null)
    {
        _value = new SharedValue(client, path, ToBytes(seedValue), logger);
        _value.ValueChanged += (_, value) => CountChanged?.Invoke(this, ToCount(value).Value);
    }

    /// <summary>Occurs when the count changed, one call at a time.</summary>
    public event EventHandler<int>? CountChanged;

    /// <summary>Gets the counter's node.</summary>
    public string Path => _value.Path;

    /// <summary>Gets the count as last read.</summary>
    public int Count => VersionedCount.Value;

    /// <summary>Gets the count as last read, with its version (for <see cref="TrySetCountAsync"/>).</summary>
    public VersionedValue<int> VersionedCount => ToCount(_value.VersionedValue);

    /// <summary>Creates the node with the seed when missing and reads the count.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when read.</returns>
    public Task StartAsync(CancellationToken cancellationToken = default) => _value.StartAsync(cancellationToken);

    /// <summary>Sets the count whatever it is now.</summary>
    /// <param name="count">The new count.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when written.</returns>
    public Task SetCountAsync(int count, CancellationToken cancellationToken = default) => _value.SetValueAsync(ToBytes(count), cancellationToken);

    /// <summary>Sets the count only if it is still the one read as <paramref name="previous"/>.</summary>
    /// <param name="previous">The count this change is based on.</param>
    /// <param name="count">The new count.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if written; <see langword="false"/> if someone changed it first (the new count is then read).</returns>
    public Task<bool> TrySetCountAsync(VersionedValue<int> previous, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return _value.TrySetValueAsync(new VersionedValue<byte[]>(previous.Zxid, previous.Version, ToBytes(previous.Value)), ToBytes(count), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _value.DisposeAsync();

    private static byte[] ToBytes(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static VersionedValue<int> ToCount(VersionedValue<byte[]> value) =>
        new(value.Zxid, value.Version, value.Value.Length == 4 ? BinaryPrimitives.ReadInt32BigEndian(value.Value) : throw new FormatException($"The shared count holds {value.Value.Length} bytes, not 4."));
}
