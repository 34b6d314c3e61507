// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Client;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Recipes.Tests.Infrastructure;

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
    /// <param name="text">The text.</param>
    /// <returns>The bytes.</returns>
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A string from UTF-8 bytes.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The text.</returns>
    public static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    /// <summary>Waits for a task, failing the test after <see cref="Patience"/>.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="task">The task.</param>
    /// <returns>The result.</returns>
    public static Task<T> Soon<T>(this Task<T> task) => task.WaitAsync(Patience, Ct);

    /// <summary>Waits for a task, failing the test after <see cref="Patience"/>.</summary>
    /// <param name="task">The task.</param>
    /// <returns>A task.</returns>
    public static Task Soon(this Task task) => task.WaitAsync(Patience, Ct);

    /// <summary>Waits until a token is cancelled, failing the test after <see cref="Patience"/>.</summary>
    /// <param name="token">The token.</param>
    /// <returns>A task.</returns>
    public static Task CancelledSoon(this CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => cancelled.TrySetResult());
        return cancelled.Task.WaitAsync(Patience, Ct);
    }

    /// <summary>Asserts that a task is still running after a moment (it waits for something that has not happened).</summary>
    /// <param name="task">The task.</param>
    /// <returns>A task.</returns>
    public static async Task StillWaiting(this Task task)
    {
        await Task.WhenAny(task, Task.Delay(Moment, Ct));
        Assert.False(task.IsCompleted, "The wait ended, but nothing it waits for has happened.");
    }

    /// <summary>
    /// Retries an assertion about state that another party (a server, another session) reaches
    /// on its own time, such as a watch being registered: every 25 ms, at most for
    /// <see cref="Patience"/>; the last failure is rethrown.
    /// </summary>
    /// <param name="assertion">The assertion.</param>
    /// <returns>A task.</returns>
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

    /// <summary>
    /// Ends a client's session from outside, as Curator's <c>KillSession</c>: another connection
    /// resumes the session with its id and password (the server drops the first connection) and
    /// closes it; the server deletes the session's ephemeral nodes. A victim that reconnects at
    /// once would take its session back before the close arrives, so a victim connected through a
    /// proxy is cut off meanwhile; without one, this repeats (a bounded number of times).
    /// </summary>
    /// <param name="client">The client whose session to end.</param>
    /// <param name="connectionString">A direct connection string of the server.</param>
    /// <param name="victimProxy">The proxy the client connects through, if any.</param>
    /// <param name="reconnect">Whether to let the victim through the proxy again afterwards.</param>
    /// <returns>A task that completes when the session is closed.</returns>
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
                    // The server answered the resume with Expired: the session is closed.
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

        Assert.Fail($"Session 0x{sessionId:x} could not be closed.");
    }

    /// <summary>Lists a node's children, sorted, or nothing when it does not exist.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The node.</param>
    /// <returns>The children.</returns>
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
}
