// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ZkAspire.Client.Internal;

/// <summary>
/// Delivers watch events and connection-state changes one at a time, in the order the IO loop saw
/// them, on a loop of its own (the Java client's EventThread). A slow or blocking handler delays later events but never the
/// IO loop (Curator TN1), so pings and replies keep flowing.
/// </summary>
internal sealed class EventDispatcher
{
    [ThreadStatic]
    private static EventDispatcher? _dispatching;

    private readonly Channel<IDispatchable> _queue = Channel.CreateUnbounded<IDispatchable>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly ILogger _logger;
    private readonly Task _loop;

    public EventDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Gets whether the current thread is running one of this dispatcher's handlers.</summary>
    public bool IsDispatching => _dispatching == this;

    /// <summary>Queues work.</summary>
    /// <param name="work">The work.</param>
    /// <returns><see langword="false"/> if the dispatcher has stopped.</returns>
    public bool Post(IDispatchable work) => _queue.Writer.TryWrite(work);

    /// <summary>Stops taking work and waits for the queued work to run.</summary>
    /// <param name="fromHandler">Whether the caller is one of this dispatcher's handlers, which must not wait for its own loop.</param>
    /// <returns>A task that completes when the loop has ended.</returns>
    public Task CompleteAsync(bool fromHandler)
    {
        _queue.Writer.TryComplete();
        return fromHandler || IsDispatching ? Task.CompletedTask : _loop;
    }

    private async Task RunAsync()
    {
        await foreach (var work in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            _dispatching = this;
            try
            {
                work.Dispatch();
            }
#pragma warning disable CA1031 // A failing handler must not stop delivery to the others.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.HandlerFailed(_logger, e);
            }
            finally
            {
                _dispatching = null;
            }
        }
    }
}
