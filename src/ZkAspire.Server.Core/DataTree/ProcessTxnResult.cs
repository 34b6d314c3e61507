// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// What applying one txn did (ZooKeeper's <c>DataTree.ProcessTxnResult</c>). A struct: it travels
/// inside its request's <see cref="TxnResult"/> until the write is answered, with no object of its
/// own per write (a multi's sub-results are a list of them).
/// </summary>
internal struct ProcessTxnResult
{
    /// <summary>Gets or sets the txn type (for a multi's sub-results: the sub-txn's type).</summary>
    public int Type { get; set; }

    /// <summary>Gets or sets the error code; for a multi, the first failing op's.</summary>
    public KeeperErrorCode Err { get; set; }

    /// <summary>Gets or sets the path the txn touched.</summary>
    public string? Path { get; set; }

    /// <summary>Gets or sets the node's Stat after the txn, for the ops that return one.</summary>
    public Stat? Stat { get; set; }

    /// <summary>Gets or sets the sub-results of a multi.</summary>
    public List<ProcessTxnResult>? MultiResult { get; set; }
}
