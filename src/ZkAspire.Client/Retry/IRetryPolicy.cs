// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>
/// Decides whether, and after how long, a failed operation is tried again (Curator's <c>RetryPolicy</c>).
/// </summary>
/// <remarks>
/// <para>
/// The policy decides how often and how long; the client decides which failures may be retried at
/// all. Retried: <see cref="ConnectionLossException"/> and <see cref="OperationTimeoutException"/>
/// when retrying cannot apply a write twice, and <see cref="SessionMovedException"/> (the server did
/// not apply the request). Retrying cannot apply a write twice when the request never left the
/// client (<see cref="ConnectionLossException.RequestSent"/> is <see langword="false"/>), for every
/// read, for setData and setACL with version −1 (writing the same value again changes nothing a
/// reader can tell apart, only the version), and for protected creates (<see cref="CreateOptions.Protected"/>),
/// which find their node before trying again.
/// </para>
/// <para>
/// Not retried, unlike Curator: other writes whose request was sent before the connection broke
/// (create, delete, versioned setData, a transaction). Their outcome is unknown, and a retry could
/// create a second sequential node or report NodeExists, NoNode or BadVersion for an operation that
/// in fact succeeded; the caller sees <see cref="ConnectionLossException"/> and decides.
/// <see cref="SessionExpiredException"/> is not retried either: the session's ephemeral nodes and
/// watches are gone, which the caller must handle.
/// </para>
/// </remarks>
public interface IRetryPolicy
{
    /// <summary>Decides whether to retry after a retryable failure.</summary>
    /// <param name="retryCount">How many retries were made before this one (0 for the first retry).</param>
    /// <param name="elapsed">How long ago the first attempt started.</param>
    /// <param name="delay">How long to wait before the retry.</param>
    /// <returns><see langword="true"/> to retry.</returns>
    bool AllowRetry(int retryCount, TimeSpan elapsed, out TimeSpan delay);
}
