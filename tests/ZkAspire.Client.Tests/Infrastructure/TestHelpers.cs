// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Client;

namespace ZkAspire.Client.Tests.Infrastructure;

/// <summary>Small helpers shared by the tests.</summary>
public static class TestHelpers
{
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

    /// <summary>Records a client's connection-state changes.</summary>
    /// <param name="client">The client.</param>
    /// <returns>The recorder.</returns>
    public static Recorder<ConnectionStateChange> RecordStates(this ZooKeeperClient client)
    {
        var recorder = new Recorder<ConnectionStateChange>();
        client.ConnectionStateChanged += (_, change) => recorder.Add(change);
        return recorder;
    }

    /// <summary>
    /// Ends a client's session from outside, like Curator's KillSession: a second client resumes the
    /// session (the server closes the first one's connection) and closes it.
    /// </summary>
    /// <param name="client">The client whose session to end.</param>
    /// <param name="connectionString">A direct connection string of the server.</param>
    /// <returns>A task that completes when the session is closed on the server.</returns>
    public static async Task KillSessionAsync(this ZooKeeperClient client, string connectionString)
    {
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = connectionString,
            SessionId = client.SessionId,
            SessionPassword = client.SessionPassword,
            SessionTimeout = client.SessionTimeout,
        };
        await using var thief = await ZooKeeperClient.ConnectAsync(options, Ct);
        Assert.Equal(client.SessionId, thief.SessionId);
    }
}
