// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Threading.Channels;

namespace ZkAspire.Recipes.Internal;

/// <summary>
/// Runs posted work one item at a time, in order, on a loop of its own: the recipes' equivalent of
/// the single thread Curator runs a recipe's background work on. Work never runs on the client's
/// event loop, so it may await the client freely (Curator TN1).
/// </summary>
internal sealed class SerialWorker : IAsyncDisposable
{
    private readonly Channel<Func<Task>> _work = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<Exception> _onError;
    private readonly Task _loop;

    /// <summary>Starts the loop.</summary>
    /// <param name="onError">Told of work that failed; the loop goes on.</param>
    public SerialWorker(Action<Exception> onError)
    {
        _onError = onError;

        // The loop must not inherit the creator's async-local state (such as the owner of a
        // reentrant lock the creating flow holds).
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(RunAsync);
        }
    }

    /// <summary>Gets whether the current code runs on this loop.</summary>
    public bool IsCurrent => CurrentWorker.Value == this;

    private static AsyncLocal<SerialWorker?> CurrentWorker { get; } = new();

    /// <summary>Queues work; ignored once the worker is disposed.</summary>
    /// <param name="work">The work.</param>
    public void Post(Func<Task> work) => _work.Writer.TryWrite(work);

    /// <summary>Queues synchronous work.</summary>
    /// <param name="work">The work.</param>
    public void Post(Action work) => Post(() =>
    {
        work();
        return Task.CompletedTask;
    });

    /// <summary>Stops taking work and waits for the queued work to finish (unless called from the loop itself).</summary>
    /// <returns>A task that completes when the loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        if (!IsCurrent)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        CurrentWorker.Value = this;
        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await work().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One failed item must not stop the loop; the owner is told.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _onError(e);
            }
        }
    }
}
