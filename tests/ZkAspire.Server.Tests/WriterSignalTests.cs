// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Transport;

namespace ZkAspire.Server.Tests;

/// <summary>The writers' reusable wait: released on the caller's thread or through the pool, wait after wait.</summary>
public sealed class WriterSignalTests
{
    [Fact]
    public void AWaitReleasedInlineResumesTheWriterBeforeReleaseReturns()
    {
        var signal = new WriterSignal();
        var resumedOn = 0;
        var writer = WaitAsync();

        Assert.False(writer.IsCompleted);
        signal.Release(inline: true);

        // The writer's continuation ran synchronously, on this thread, inside Release.
        Assert.True(writer.IsCompleted);
        Assert.Equal(Environment.CurrentManagedThreadId, resumedOn);

        async Task WaitAsync()
        {
            await signal.ArmAsync().ConfigureAwait(false);
            resumedOn = Environment.CurrentManagedThreadId;
        }
    }

    [Fact]
    public async Task OneSignalServesWaitAfterWaitReleasedEitherWayOrBeforeTheWriterAwaits()
    {
        var signal = new WriterSignal();
        for (var i = 0; i < 1000; i++)
        {
            var wait = signal.ArmAsync();
            switch (i % 3)
            {
                case 0:
                    signal.Release(inline: true);
                    break;
                case 1:
                    signal.Release(inline: false);
                    break;
                default:
                    // Released on the pool while the writer is about to await.
                    _ = Task.Run(() => signal.Release(inline: true), TestContext.Current.CancellationToken);
                    break;
            }

            await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }
    }
}
