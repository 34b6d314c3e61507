// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// A JVM running Curator 5.4 (Debian's jars) through <c>Java/CuratorInterop.java</c>, driven one
/// command line at a time: each command gets one reply line, and the program reports later
/// happenings as <c>EVENT</c> lines. Shared by the interop tests of the recipes and of the
/// DistributedLock providers.
/// </summary>
public sealed class CuratorProcess : IAsyncDisposable
{
    /// <summary>Debian's Curator, ZooKeeper client and their dependencies.</summary>
    public static readonly string ClassPath = string.Join(':', new[]
    {
        "curator-x-discovery", "curator-recipes", "curator-framework", "curator-client", "zookeeper", "zookeeper-jute",
        "guava", "slf4j-api", "slf4j-nop", "jackson-databind", "jackson-core", "jackson-annotations",
    }.Select(jar => "/usr/share/java/" + jar + ".jar"));

    private readonly Process _process;
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly CuratorEvents _events = new();
    private readonly SemaphoreSlim _commands = new(1, 1);
    private readonly StringBuilder _errors = new();

    private CuratorProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Gets whether Curator's jars and a JVM are installed.</summary>
    public static bool IsInstalled => File.Exists("/usr/share/java/curator-recipes.jar") && File.Exists("/usr/share/java/curator-x-discovery.jar") && File.Exists("/usr/bin/java");

    /// <summary>Gets the program's EVENT lines (without the prefix).</summary>
    public CuratorEvents Events => _events;

    /// <summary>Gets the Curator client's session id, in hex.</summary>
    public string SessionId { get; private set; } = string.Empty;

    /// <summary>Starts the program and waits until its Curator client is connected.</summary>
    /// <param name="connectionString">The server.</param>
    /// <returns>The running program.</returns>
    public static async Task<CuratorProcess> StartAsync(string connectionString)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Java", "CuratorInterop.java");
        var start = new ProcessStartInfo("/usr/bin/java")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in new[] { "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", ClassPath, source, connectionString })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var curator = new CuratorProcess(process);
        process.OutputDataReceived += (_, e) => curator.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (curator._errors)
            {
                curator._errors.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var ready = await curator.ReadReplyAsync(TimeSpan.FromSeconds(60));
            if (!ready.StartsWith("READY ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The Curator program started with '{ready}' instead of READY.");
            }

            curator.SessionId = ready["READY ".Length..];
            return curator;
        }
        catch
        {
            await curator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a command and returns its reply, which must start with <c>OK</c> (otherwise it throws, failing the test).</summary>
    /// <param name="command">The command line.</param>
    /// <param name="timeout">How long the command may take.</param>
    /// <returns>The reply after <c>OK</c> (trimmed).</returns>
    public async Task<string> SendAsync(string command, TimeSpan? timeout = null)
    {
        await _commands.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            await _process.StandardInput.WriteLineAsync(command);
            await _process.StandardInput.FlushAsync();
            var reply = await ReadReplyAsync(timeout ?? CuratorEvents.Patience);
            if (!reply.StartsWith("OK", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Curator answered '{command}' with '{reply}'.");
            }

            return reply[2..].Trim();
        }
        finally
        {
            _commands.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("quit");
                await _process.StandardInput.FlushAsync();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }

            _process.Dispose();
            _commands.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _replies.Writer.TryComplete();
            return;
        }

        if (line.StartsWith("EVENT ", StringComparison.Ordinal))
        {
            _events.Add(line["EVENT ".Length..]);
        }
        else
        {
            _replies.Writer.TryWrite(line);
        }
    }

    private async Task<string> ReadReplyAsync(TimeSpan timeout)
    {
        try
        {
            return await _replies.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(timeout);
        }
        catch (Exception e) when (e is TimeoutException or ChannelClosedException)
        {
            string errors;
            lock (_errors)
            {
                errors = _errors.ToString();
            }

            throw new InvalidOperationException($"The Curator program did not answer ({e.GetType().Name}); its stderr:\n{errors}", e);
        }
    }
}

/// <summary>The <c>EVENT</c> lines of a <see cref="CuratorProcess"/>, to read and to await (each wait bounded in time).</summary>
public sealed class CuratorEvents
{
    /// <summary>How long a wait for an event lasts.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Channel<string> _items = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = [];

    /// <summary>Gets every event so far.</summary>
    public IReadOnlyList<string> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>Waits for the next event that matches, skipping others.</summary>
    /// <param name="predicate">What to wait for.</param>
    /// <returns>The event.</returns>
    public async Task<string> WaitForAsync(Func<string, bool> predicate)
    {
        var ct = TestContext.Current.CancellationToken;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(Patience);
        try
        {
            while (true)
            {
                var item = await _items.Reader.ReadAsync(cts.Token);
                if (predicate(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching Curator event within {Patience}; so far: [{string.Join(", ", All)}]");
        }
    }

    internal void Add(string item)
    {
        lock (_all)
        {
            _all.Add(item);
        }

        _items.Writer.TryWrite(item);
    }
}
