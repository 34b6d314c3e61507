// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;

namespace ZkAspire.Cli.Tests.Infrastructure;

/// <summary>A writer that keeps what is written and lets a test await a piece of text.</summary>
public sealed class Recorder : TextWriter
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly object _lock = new();
    private readonly StringBuilder _text = new();
    private readonly List<(string Expected, int From, TaskCompletionSource Seen)> _waiters = [];

    /// <inheritdoc/>
    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>Gets everything written so far.</summary>
    public string Text
    {
        get
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>Gets how many characters were written so far.</summary>
    public int Length
    {
        get
        {
            lock (_lock)
            {
                return _text.Length;
            }
        }
    }

    /// <inheritdoc/>
    public override void Write(char value) => Write(value.ToString());

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        lock (_lock)
        {
            _text.Append(value);
            foreach (var waiter in _waiters.Where(w => Contains(w.Expected, w.From)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits until <paramref name="expected"/> has been written at or after position <paramref name="from"/>.</summary>
    public async Task WaitForAsync(string expected, int from)
    {
        Task seen;
        lock (_lock)
        {
            if (Contains(expected, from))
            {
                return;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((expected, from, waiter));
            seen = waiter.Task;
        }

        try
        {
            await seen.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"'{expected}' was not written within {Timeout.TotalSeconds:0} s. Written:\n{Text}");
        }
    }

    private bool Contains(string expected, int from) =>
        _text.ToString(from, _text.Length - from).Contains(expected, StringComparison.Ordinal);
}
