// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;

namespace ZkAspire.Cli;

/// <summary>
/// Runs the <c>zkaspire</c> process's socket completions on the runtime's epoll thread rather than
/// handing each one to a thread-pool worker (Linux; the runtime's
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> switch), unless the environment already says
/// either way.
/// </summary>
/// <remarks>
/// <para>
/// Every socket in this process is the client's: its receive loop decodes replies, hands each
/// answered request's continuation to the thread pool and queues watch events for the event
/// dispatcher, and its send loop sends what was queued. None of that blocks, so it may run on the
/// epoll thread, which then serves every session's socket as one IO thread, the way the Java
/// client's SendThread reads its socket. Measured with <c>zkaspire bench</c> (docs/performance.md,
/// "Socket completions in the client process"): the three-node mutex ran 35 % more acquisitions
/// per second, pipelined get about 20 % more.
/// </para>
/// <para>
/// The runtime reads the variable once, when its socket engine starts, so it is set first thing in
/// <c>Main</c>. The servers this process starts (<c>zkaspire server start</c>) do not inherit it:
/// they run with the runtime's default unless the user set the variable.
/// </para>
/// </remarks>
internal static class InlineSocketCompletions
{
    /// <summary>The runtime's environment variable.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Gets whether this process set the variable (rather than inheriting a value).</summary>
    public static bool SetByThisProcess { get; private set; }

    /// <summary>Sets the variable to 1 unless the environment has it; call before any socket is made.</summary>
    public static void PreferForThisProcess() =>
        SetByThisProcess = Prefer(Environment.GetEnvironmentVariable, Environment.SetEnvironmentVariable);

    /// <summary>Sets the variable to 1 through <paramref name="set"/> when <paramref name="get"/> has no value for it.</summary>
    /// <param name="get">Reads a variable.</param>
    /// <param name="set">Writes one.</param>
    /// <returns><see langword="true"/> if the variable was set.</returns>
    public static bool Prefer(Func<string, string?> get, Action<string, string?> set)
    {
        if (get(Variable) is not null)
        {
            return false;
        }

        set(Variable, "1");
        return true;
    }

    /// <summary>Keeps the variable from a child process when this process set it (not when the user did).</summary>
    /// <param name="start">The child's start info.</param>
    /// <param name="setByThisProcess">Whether this process set the variable.</param>
    public static void KeepFrom(ProcessStartInfo start, bool setByThisProcess)
    {
        if (setByThisProcess)
        {
            start.Environment.Remove(Variable);
        }
    }
}
