// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>A jute record: its fields written in declaration order, with no tags or length.</summary>
public interface IJuteRecord
{
    /// <summary>Writes the record's fields.</summary>
    /// <param name="writer">The writer.</param>
    void Write(JuteWriter writer);
}

/// <summary>A jute record that can be read back.</summary>
/// <typeparam name="TSelf">The record type.</typeparam>
public interface IJuteRecord<TSelf> : IJuteRecord
    where TSelf : IJuteRecord<TSelf>
{
    /// <summary>Gets the fewest bytes one encoded record takes (bounds vector counts before allocation).</summary>
    static virtual int MinEncodedSize => 1;

    /// <summary>Reads one record.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The record.</returns>
    static abstract TSelf Read(ref JuteReader reader);
}
