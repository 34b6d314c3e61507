// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Client.Tests.Infrastructure;

/// <summary>
/// A read-only Apache ZooKeeper: one member of a three-server ensemble whose other members never
/// start, with <c>readonlymode.enabled</c>, so it serves reads without a quorum (§17). It needs
/// <c>localSessionsEnabled</c>: without local sessions, 3.8 answers a new session's
/// ConnectRequest with a bare NotReadOnly reply header instead of a ConnectResponse.
/// </summary>
public sealed class ApacheReadOnlyServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    private ApacheReadOnlyServer(Process process, StringBuilder log, int port, string directory)
    {
        _process = process;
        _log = log;
        Port = port;
        Directory = directory;
    }

    /// <summary>Gets the client port.</summary>
    public int Port { get; }

    /// <summary>Gets the connection string.</summary>
    public string ConnectionString => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets the temporary directory.</summary>
    public string Directory { get; }

    /// <summary>Gets what the server logged.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the server and waits until it answers <c>isro</c> with <c>ro</c>.</summary>
    /// <returns>The server.</returns>
    public static async Task<ApacheReadOnlyServer> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "zkaspire-ro-" + Guid.NewGuid().ToString("n"));
        var data = Path.Combine(directory, "data");
        System.IO.Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "myid"), "1\n");
        var port = FreePort.Get();
        var config = new StringBuilder()
            .AppendLine("tickTime=2000")
            .AppendLine("initLimit=5")
            .AppendLine("syncLimit=2")
            .AppendLine(CultureInfo.InvariantCulture, $"dataDir={data}")
            .AppendLine(CultureInfo.InvariantCulture, $"clientPort={port}")
            .AppendLine("clientPortAddress=127.0.0.1")
            .AppendLine("admin.enableServer=false")
            .AppendLine("4lw.commands.whitelist=*")
            .AppendLine("localSessionsEnabled=true");
        for (var id = 1; id <= 3; id++)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"server.{id}=127.0.0.1:{FreePort.Get()}:{FreePort.Get()}");
        }

        var configPath = Path.Combine(directory, "zoo.cfg");
        await File.WriteAllTextAsync(configPath, config.ToString());
        var start = new ProcessStartInfo("/usr/bin/java")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[]
        {
            "-Xmx256m", "-Dzookeeper.log.dir=" + directory, "-Dreadonlymode.enabled=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
            "-cp", ApacheZooKeeper.ZooKeeperJar + ":/usr/share/java/slf4j-simple.jar", "org.apache.zookeeper.server.quorum.QuorumPeerMain", configPath,
        })
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            // ReadOnlyZooKeeperServer.startup logs this once it serves.
            if (line.Contains("Read-only server started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }

            lock (log)
            {
                log.AppendLine(line);
            }
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ApacheReadOnlyServer(process, log, port, directory);
        try
        {
            await Task.WhenAny(started.Task, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(60));
            if (!started.Task.IsCompleted)
            {
                throw new InvalidOperationException("The read-only server exited:\n" + server.Log);
            }

            // Bounded: the isro answer flips to "ro" right after the log line.
            for (var attempt = 0; attempt < 100; attempt++)
            {
                if (await FourLetterWordClient.SendAsync(port, "isro") == "ro")
                {
                    return server;
                }

                await Task.Delay(20);
            }

            throw new InvalidOperationException("The server did not become read-only:\n" + server.Log);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            _process.Dispose();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>One read-only server shared by the tests of a class.</summary>
public sealed class ApacheReadOnlyServerFixture : IAsyncLifetime
{
    private ApacheReadOnlyServer? _server;

    /// <summary>Gets the server.</summary>
    public ApacheReadOnlyServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc/>
    public async ValueTask InitializeAsync() => _server = await ApacheReadOnlyServer.StartAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
