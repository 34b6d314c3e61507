// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client.Internal;

/// <summary>The local table a watch goes to when its request succeeds.</summary>
internal enum WatchKind
{
    /// <summary>getData: the data table, only on success.</summary>
    Data,

    /// <summary>exists: the data table if the node exists, the exist table if it does not.</summary>
    Exists,

    /// <summary>getChildren: the child table, only on success.</summary>
    Child,

    /// <summary>addWatch PERSISTENT.</summary>
    Persistent,

    /// <summary>addWatch PERSISTENT_RECURSIVE.</summary>
    PersistentRecursive,
}

/// <summary>A watch to register when the reply to its request arrives (<c>WatchRegistration</c>).</summary>
/// <param name="Kind">Which table.</param>
/// <param name="ServerPath">The server path.</param>
/// <param name="Watcher">The local watcher.</param>
internal sealed record WatchRegistration(WatchKind Kind, string ServerPath, IWatcher Watcher);
