// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;
using ZkAspire.Client.Internal;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Client.Tests.Unit;

/// <summary>What the client logs about its connections (<see cref="Log"/>).</summary>
public sealed class ClientLogTests
{
    [Fact]
    public async Task ARefusedConnectionIsOneLineNamingTheServerAndTheReasonWithoutAStackTrace()
    {
        var port = FreePort.Get();
        var logger = new FirstEntryLogger(eventId: 3);
        await using var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = "127.0.0.1:" + port, Logger = logger });
        using var connecting = new CancellationTokenSource();
        var attempt = client.ConnectAsync(connecting.Token);

        var entry = await logger.First.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await connecting.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => attempt);

        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.StartsWith($"Could not connect to 127.0.0.1:{port}: ", entry.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Unspecified", entry.Message, StringComparison.Ordinal);
        Assert.True(entry.Message.Length > $"Could not connect to 127.0.0.1:{port}: ".Length, "the reason is missing: " + entry.Message);

        // An expected failure of a server that is down carries no exception, so no stack trace.
        Assert.Null(entry.Exception);
    }

    [Fact]
    public async Task AGuaranteedDeleteCancelledByItsCallerIsOneLineWithTheReason()
    {
        var logger = new FirstEntryLogger(eventId: 10);
        await using var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = "127.0.0.1:" + FreePort.Get(), Logger = logger });
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.DeleteAsync("/services/app/1", new DeleteOptions { Guaranteed = true }, stopping.Token));
        var entry = await logger.First.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("Guaranteed delete of /services/app/1 will be retried in the background: " + new OperationCanceledException().Message, entry.Message);
        Assert.Null(entry.Exception);
    }

    /// <summary>Keeps the first entry with one event id.</summary>
    private sealed class FirstEntryLogger(int eventId) : ILogger
    {
        private readonly TaskCompletionSource<(LogLevel Level, string Message, Exception? Exception)> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<(LogLevel Level, string Message, Exception? Exception)> First => _first.Task;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (id.Id == eventId)
            {
                _first.TrySetResult((logLevel, formatter(state, exception), exception));
            }
        }
    }
}
