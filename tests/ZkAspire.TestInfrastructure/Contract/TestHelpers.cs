// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Client;

namespace ZkAspire.TestInfrastructure.Contract;

/// <summary>Helpers shared by the tests.</summary>
public static class TestHelpers
{
    /// <summary>How long a test waits for something that should happen soon.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>A wait that must not end: long enough for a wrong wake-up to show.</summary>
    public static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(300);

    /// <summary>Gets the test's cancellation token.</summary>
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>UTF-8 bytes of a string.</summary>
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A string from UTF-8 bytes (<c>&lt;null&gt;</c> for null data).</summary>
    public static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    /// <summary>Waits for a task, failing the test after <see cref="Patience"/>.</summary>
    public static Task<T> Soon<T>(this Task<T> task) => task.WaitAsync(Patience, Ct);

    /// <summary>Waits for a task, failing the test after <see cref="Patience"/>.</summary>
    public static Task<T> Soon<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Patience, Ct);

    /// <summary>Waits for a task, failing the test after <see cref="Patience"/>.</summary>
    public static Task Soon(this Task task) => task.WaitAsync(Patience, Ct);

    /// <summary>Waits until a token is cancelled, failing the test after <see cref="Patience"/>.</summary>
    public static Task CancelledSoon(this CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => cancelled.TrySetResult());
        return cancelled.Task.WaitAsync(Patience, Ct);
    }

    /// <summary>Asserts that a task is still running after a moment.</summary>
    public static async Task StillWaiting(this Task task)
    {
        await Task.WhenAny(task, Task.Delay(Moment, Ct));
        if (task.IsCompleted)
        {
            throw new InvalidOperationException("The wait ended, but nothing it waits for has happened.");
        }
    }

    /// <summary>
    /// Ends a client's session from outside, as Curator's <c>KillSession</c>: another connection
    /// resumes the session with its id and password (the server drops the first connection) and
    /// closes it, so the server deletes its ephemeral nodes. A victim that reconnects at once would
    /// take its session back before the close arrives, so a victim connected through a proxy is
    /// cut off meanwhile; without one, this repeats (a bounded number of times) until the server
    /// answers the resume with Expired.
    /// </summary>
    /// <param name="client">The client whose session to end.</param>
    /// <param name="connectionString">A direct connection string of the server.</param>
    /// <param name="victimProxy">The proxy the client connects through, if any.</param>
    /// <param name="reconnect">Whether to let the victim through the proxy again afterwards.</param>
    public static async Task KillSessionAsync(this ZooKeeperClient client, string connectionString, NetworkProxy? victimProxy = null, bool reconnect = true)
    {
        var sessionId = client.SessionId;
        var password = client.SessionPassword;
        victimProxy?.Refuse();
        try
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var options = new ZooKeeperClientOptions
                {
                    ConnectionString = connectionString,
                    SessionId = sessionId,
                    SessionPassword = password,
                    SessionTimeout = client.SessionTimeout,
                    ConnectionTimeout = TimeSpan.FromSeconds(10),
                };
                await using var thief = await ZooKeeperClient.ConnectAsync(options, Ct);
                if (thief.SessionId != sessionId)
                {
                    return;
                }
            }
        }
        finally
        {
            if (reconnect)
            {
                victimProxy?.Forward();
            }
        }

        throw new InvalidOperationException($"Session 0x{sessionId:x} could not be closed.");
    }

    /// <summary>Lists a node's children, or nothing when it does not exist.</summary>
    public static async Task<List<string>> ChildrenAsync(this ZooKeeperClient client, string path)
    {
        try
        {
            var children = (await client.GetChildrenAsync(path, Ct)).ToList();
            children.Sort(StringComparer.Ordinal);
            return children;
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    /// <summary>Retries an assertion about state another party reaches on its own time: every 25 ms, at most for <see cref="Patience"/>.</summary>
    public static async Task Eventually(Func<Task> assertion)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && started.Elapsed < Patience)
            {
                await Task.Delay(25, Ct);
            }
        }
    }
}
