// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Extensions.Configuration.Internal;

/// <summary>What one znode contributes to the configuration, with the Stat fields that order its versions.</summary>
/// <param name="Czxid">The zxid that created the node (a re-created node has a larger one).</param>
/// <param name="Mzxid">The zxid of the node's last data change.</param>
/// <param name="Values">The keys and values of the node: one for a plain node, the flattened document for a JSON node, none for a node without data.</param>
internal sealed record NodeEntry(long Czxid, long Mzxid, IReadOnlyList<KeyValuePair<string, string?>> Values);
