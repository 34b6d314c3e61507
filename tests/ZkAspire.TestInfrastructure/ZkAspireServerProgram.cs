// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// Which build of <c>zkaspire-server</c> a test or a measurement starts: the JIT build beside the
/// test assemblies (<c>dotnet exec zkaspire-server.dll</c>, what a plain build makes and the Aspire
/// hosting runs), or the native AOT executable that <c>dotnet publish -r linux-x64</c> makes, the
/// form we ship (src/ZkAspire.Server.Host/README.md, Publishing).
/// </summary>
public sealed class ZkAspireServerProgram
{
    private static readonly Dictionary<string, Task<ZkAspireServerProgram>> Publishes = new(StringComparer.Ordinal);

    private ZkAspireServerProgram(string path, bool isNative, TimeSpan? publishTime)
    {
        Path = path;
        IsNative = isNative;
        PublishTime = publishTime;
    }

    /// <summary>Gets the JIT build beside the test assemblies (the default everywhere).</summary>
    public static ZkAspireServerProgram Jit { get; } = new(System.IO.Path.Combine(AppContext.BaseDirectory, "zkaspire-server.dll"), isNative: false, publishTime: null);

    /// <summary>Gets the path of <c>zkaspire-server.dll</c> or of the native executable.</summary>
    public string Path { get; }

    /// <summary>Gets whether this is the native AOT executable (started directly, no <c>dotnet</c>).</summary>
    public bool IsNative { get; }

    /// <summary>Gets how long <see cref="PublishNativeAsync"/> took, when this build came from it.</summary>
    public TimeSpan? PublishTime { get; }

    /// <summary>Gets a short name of the build for logs and reports: <c>jit</c> or <c>native AOT</c>.</summary>
    public string Name => IsNative ? "native AOT" : "jit";

    /// <summary>Gets the native executable at a path (e.g. one published by hand).</summary>
    /// <param name="executablePath">The <c>zkaspire-server</c> executable.</param>
    /// <returns>The program.</returns>
    public static ZkAspireServerProgram Native(string executablePath) => new(System.IO.Path.GetFullPath(executablePath), isNative: true, publishTime: null);

    /// <summary>
    /// Publishes the native <c>zkaspire-server</c> from this repository's sources into a folder of
    /// its own (<c>dotnet publish src/ZkAspire.Server.Host -c Release -r linux-x64</c>, with the
    /// intermediate files under that folder too, so that it races no other build), once per
    /// process and folder: later calls share the first one's result. The compiler is incremental,
    /// so a folder kept between runs (under obj/) makes a repeated publish quick.
    /// </summary>
    /// <param name="folder">Where the build and the executable go (created when missing).</param>
    /// <param name="cancellationToken">Stops waiting (the publish itself runs on, for later callers).</param>
    /// <returns>The published program.</returns>
    /// <exception cref="InvalidOperationException">The publish failed; the message carries its output.</exception>
    public static Task<ZkAspireServerProgram> PublishNativeAsync(string folder, CancellationToken cancellationToken = default)
    {
        var key = System.IO.Path.GetFullPath(folder);
        Task<ZkAspireServerProgram>? publish;
        lock (Publishes)
        {
            if (!Publishes.TryGetValue(key, out publish))
            {
                publish = Task.Run(() => PublishAsync(key), CancellationToken.None);
                Publishes.Add(key, publish);
            }
        }

        return publish.WaitAsync(cancellationToken);
    }

    /// <summary>Finds this repository's root (the folder holding ZkAspire.sln) above the running assembly.</summary>
    /// <returns>The root folder.</returns>
    /// <exception cref="InvalidOperationException">The program does not run from a build inside the repository.</exception>
    public static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "ZkAspire.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ZkAspire.sln above {AppContext.BaseDirectory}: the native server is published from the repository's sources.");
    }

    /// <summary>Makes the start information of a process running this build with the arguments given.</summary>
    /// <param name="arguments">The program's arguments (a zoo.cfg path, key=value settings).</param>
    /// <returns>The start information, output redirected, no shell.</returns>
    /// <exception cref="InvalidOperationException">The build is missing.</exception>
    public ProcessStartInfo CreateStartInfo(IEnumerable<string> arguments)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException(IsNative
                ? $"{Path} is missing: publish it with ZkAspireServerProgram.PublishNativeAsync or dotnet publish src/ZkAspire.Server.Host -c Release -r linux-x64."
                : $"{Path} is missing: build tests/ZkAspire.TestInfrastructure (it references the server program).");
        }

        ProcessStartInfo start;
        if (IsNative)
        {
            start = new ProcessStartInfo(Path);
        }
        else
        {
            start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet");
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(Path);
        }

        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;

        // Servers under test run with the runtime's default socket completions, whatever the
        // process that starts them uses (the side-by-side run's bench sets the switch for itself).
        start.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static async Task<ZkAspireServerProgram> PublishAsync(string folder)
    {
        var root = FindRepositoryRoot();
        var output = System.IO.Path.Combine(folder, "bin");
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var argument in (string[])[
            "publish", System.IO.Path.Combine(root, "src", "ZkAspire.Server.Host", "ZkAspire.Server.Host.csproj"),
            "-c", "Release", "-r", "linux-x64",

            // obj/ and bin/ of every project under the folder: a publish beside a running build
            // of the same projects (dotnet test builds Debug, the lead may build Release) races nothing.
            "--artifacts-path", System.IO.Path.Combine(folder, "artifacts"),
            "-o", output,

            // No MSBuild node or compiler server outlives the publish.
            "--disable-build-servers", "-nologo", "-v:q", "-clp:NoSummary;ErrorsOnly;WarningsOnly"])
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // A cold publish (the compiler package restored, every library built) takes about a
            // minute on two cores; ten leave room for a loaded machine.
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"dotnet publish of the native zkaspire-server took more than 10 minutes:\n{log}");
        }

        var executable = System.IO.Path.Combine(output, "zkaspire-server");
        if (process.ExitCode != 0 || !File.Exists(executable))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"dotnet publish of the native zkaspire-server failed (exit code {process.ExitCode}):\n{log}"));
        }

        return new ZkAspireServerProgram(executable, isNative: true, stopwatch.Elapsed);

        void Append(string? line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                lock (log)
                {
                    log.AppendLine(line);
                }
            }
        }
    }
}
