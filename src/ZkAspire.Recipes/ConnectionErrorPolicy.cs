// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Recipes;

/// <summary>
/// When a recipe considers what it holds — a lock, a lease, leadership — possibly lost because of
/// the connection: Curator's <c>ConnectionStateErrorPolicy</c>, with a grace period in between.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ConnectionState.Lost"/> (the session expired, or the client gave it up after the
/// session timeout without a server) is always an error: the server has deleted the session's
/// ephemeral nodes or will do so. <see cref="ConnectionState.Suspended"/> only means the client
/// cannot tell: the session may still live on the ensemble, or the ensemble may already have
/// expired it and given the lock to someone else (Curator TN14; the server expires a session
/// after its timeout, while the client may only learn of it on reconnecting).
/// </para>
/// <para>
/// <see cref="Standard"/> treats Suspended as lost at once, as Curator's default
/// <c>StandardConnectionStateErrorPolicy</c> does. A grace period keeps ownership through short
/// disconnections, at a price: during the grace a holder still believes it holds the lock while
/// the ensemble may have expired its session. Keep it well below the session timeout, and fence
/// every write (see the lock handle's fencing token and guarded transaction). A
/// <see cref="ConnectionState.ReadOnly"/> connection counts as Suspended: a read-only server is cut
/// off from the quorum and cannot vouch for the session.
/// </para>
/// </remarks>
public sealed record ConnectionErrorPolicy
{
    /// <summary>
    /// Gets Curator's default: Suspended and Lost are both errors, at once
    /// (<c>StandardConnectionStateErrorPolicy</c>).
    /// </summary>
    public static ConnectionErrorPolicy Standard { get; } = new(TimeSpan.Zero);

    /// <summary>
    /// Gets Curator's <c>SessionConnectionStateErrorPolicy</c>: only Lost is an error. The client
    /// reports Lost at the latest when the session timeout has elapsed without a server.
    /// </summary>
    public static ConnectionErrorPolicy SessionOnly { get; } = new(Timeout.InfiniteTimeSpan);

    /// <summary>Creates a policy that treats a Suspended connection as an error once it has lasted <paramref name="suspendedGrace"/>.</summary>
    /// <param name="suspendedGrace">
    /// How long a connection may stay Suspended before ownership counts as lost: zero for at once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> for never (only Lost counts).
    /// </param>
    public ConnectionErrorPolicy(TimeSpan suspendedGrace)
    {
        if (suspendedGrace < TimeSpan.Zero && suspendedGrace != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(suspendedGrace), suspendedGrace, "The grace must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        SuspendedGrace = suspendedGrace;
    }

    /// <summary>
    /// Gets how long a connection may stay Suspended (or ReadOnly) before ownership counts as lost;
    /// <see cref="Timeout.InfiniteTimeSpan"/> when only Lost counts.
    /// </summary>
    public TimeSpan SuspendedGrace { get; }

    /// <summary>Gets whether a Suspended connection counts as an error at once.</summary>
    public bool SuspendedIsError => SuspendedGrace == TimeSpan.Zero;

    /// <summary>Gets whether a Suspended connection counts as an error at all.</summary>
    public bool SuspendedCanBeError => SuspendedGrace != Timeout.InfiniteTimeSpan;
}
