// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>The result of a read that left a one-time watch, and the watch as an awaitable.</summary>
/// <typeparam name="T">The read's result.</typeparam>
/// <param name="Result">What the read returned.</param>
/// <param name="Triggered">
/// Completes with the first event that ends the watch: the node event that fired it, a
/// *WatchRemoved event when it was removed, or a connection event after which it no longer exists
/// (Expired, AuthFailed, Closed). Disconnections do not complete it: the watch is re-registered
/// when the session reconnects, and changes missed meanwhile fire it then.
/// </param>
public sealed record Watched<T>(T Result, Task<WatchedEvent> Triggered);
