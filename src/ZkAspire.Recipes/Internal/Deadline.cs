// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes.Internal;

/// <summary>The end of a wait that was given a timeout: zero means "try once", infinite means "no end".</summary>
internal readonly struct Deadline
{
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly TimeSpan _timeout;

    private Deadline(TimeProvider time, TimeSpan timeout)
    {
        _time = time;
        _started = time.GetTimestamp();
        _timeout = timeout;
    }

    /// <summary>Gets whether the wait has no end.</summary>
    public bool IsInfinite => _timeout == Timeout.InfiniteTimeSpan;

    /// <summary>Gets the time left: <see cref="Timeout.InfiniteTimeSpan"/> for no end, else zero or more.</summary>
    public TimeSpan Remaining
    {
        get
        {
            if (IsInfinite)
            {
                return Timeout.InfiniteTimeSpan;
            }

            var left = _timeout - _time.GetElapsedTime(_started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Gets whether no time is left.</summary>
    public bool HasExpired => !IsInfinite && Remaining == TimeSpan.Zero;

    /// <summary>Starts a deadline.</summary>
    /// <param name="timeout">Zero or more, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="time">The clock.</param>
    /// <param name="parameterName">The caller's parameter, for the exception.</param>
    /// <returns>The deadline.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    public static Deadline Start(TimeSpan timeout, TimeProvider time, string parameterName = "timeout")
    {
        Validate(timeout, parameterName);
        return new Deadline(time, timeout);
    }

    /// <summary>Checks a timeout argument.</summary>
    /// <param name="timeout">The timeout.</param>
    /// <param name="parameterName">The caller's parameter.</param>
    public static void Validate(TimeSpan timeout, string parameterName)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(parameterName, timeout, "The timeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }
    }

    /// <summary>Waits for a task until the deadline.</summary>
    /// <param name="task">The task.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if the task completed in time.</returns>
    public async Task<bool> WaitAsync(Task task, CancellationToken cancellationToken)
    {
        var remaining = Remaining;
        if (remaining == TimeSpan.Zero)
        {
            return task.IsCompleted;
        }

        try
        {
            await task.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            return false;
        }
    }
}
