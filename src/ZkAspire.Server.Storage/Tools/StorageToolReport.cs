// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Storage;

/// <summary>What a dump or verify found: the text lines (unless they went to a sink) and the problems.</summary>
/// <param name="Lines">The lines, in order; empty when a line sink was given.</param>
/// <param name="Problems">What is wrong, each naming the file and offset; empty if the files are sound.</param>
public sealed record StorageToolReport(IReadOnlyList<string> Lines, IReadOnlyList<string> Problems)
{
    /// <summary>Gets whether no problem was found (a CLI exits 0 then).</summary>
    public bool IsValid => Problems.Count == 0;
}
