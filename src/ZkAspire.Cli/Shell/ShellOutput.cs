// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Shell;

/// <summary>
/// The shell's stdout and stderr. Watch events are printed from the client's event loop while a
/// command prints from the shell's, so every write takes one lock: a line (or an event's block of
/// lines) is never torn by the other thread.
/// </summary>
/// <remarks>
/// zkCli prints results to stdout and errors — and "Created /path" — to stderr, each line
/// flushed at once; scripts that merge the two (2&gt;&amp;1) see them in order. Lines end in
/// <c>\n</c> whatever the platform, as the Java zkCli on Linux prints them.
/// </remarks>
internal sealed class ShellOutput
{
    private readonly object _lock = new();
    private readonly TextWriter _out;
    private readonly TextWriter _err;

    public ShellOutput(TextWriter output, TextWriter error)
    {
        _out = output;
        _err = error;
    }

    /// <summary>Writes a line to stdout (<c>System.out.println</c>).</summary>
    public void Out(string line) => Write(_out, line + "\n");

    /// <summary>Writes text to stdout without a line end (<c>System.out.print</c>).</summary>
    public void OutRaw(string text) => Write(_out, text);

    /// <summary>Writes a line to stderr (<c>System.err.println</c>).</summary>
    public void Err(string line) => Write(_err, line + "\n");

    /// <summary>
    /// Prints a block the way <c>ZooKeeperMain.printMessage</c> prints each of its lines: an empty
    /// line, then the text. The watcher prints <c>WATCHER::</c> and the event this way.
    /// </summary>
    public void Messages(params string[] messages)
    {
        var text = string.Concat(messages.Select(m => "\n" + m + "\n"));
        Write(_out, text);
    }

    private void Write(TextWriter writer, string text)
    {
        lock (_lock)
        {
            writer.Write(text);
            writer.Flush();
        }
    }
}
