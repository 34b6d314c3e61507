// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections;
using System.Diagnostics;

namespace ZkAspire.Cli.ServerControl;

/// <summary>
/// How to run <c>zkaspire-server</c>: the executable (or the <c>dotnet</c> host) and the arguments
/// that come before the zoo.cfg.
/// </summary>
/// <param name="FileName">The program to start.</param>
/// <param name="LeadingArguments">Arguments before the server's own (<c>exec path/to/zkaspire-server.dll</c> for a host).</param>
internal sealed record ServerProgram(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>The environment variable that names the server program (an executable or a .dll).</summary>
    public const string EnvironmentVariable = "ZKASPIRE_SERVER_PROGRAM";

    private const string Name = "zkaspire-server";

    /// <summary>
    /// Finds the server program: <see cref="EnvironmentVariable"/>, else beside this program (a
    /// build output folder or a self-contained install), else on the PATH (a <c>dotnet tool</c>).
    /// </summary>
    /// <param name="environment">The environment.</param>
    /// <param name="baseDirectory">Where this program is.</param>
    /// <param name="program">The program.</param>
    /// <param name="error">Why none was found.</param>
    /// <returns><see langword="true"/> if found.</returns>
    public static bool TryFind(IDictionary environment, string baseDirectory, out ServerProgram program, out string? error)
    {
        program = null!;
        error = null;
        if (environment[EnvironmentVariable] is string configured && configured.Length > 0)
        {
            if (!File.Exists(configured))
            {
                error = $"{EnvironmentVariable} names '{configured}', which does not exist.";
                return false;
            }

            program = ForPath(Path.GetFullPath(configured), environment);
            return true;
        }

        var apphost = Path.Combine(baseDirectory, OperatingSystem.IsWindows() ? Name + ".exe" : Name);
        var assembly = Path.Combine(baseDirectory, Name + ".dll");

        // Run by a dotnet host ourselves, start the server's assembly with the same host (an
        // apphost might not find the runtime); started as an apphost, prefer the server's.
        if (File.Exists(assembly) && (IsDotnetHost(Environment.ProcessPath) || !File.Exists(apphost)))
        {
            program = ForPath(assembly, environment);
            return true;
        }

        if (File.Exists(apphost))
        {
            program = new ServerProgram(apphost, []);
            return true;
        }

        foreach (var directory in (environment["PATH"] as string ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? Name + ".exe" : Name);
            if (File.Exists(candidate))
            {
                program = new ServerProgram(candidate, []);
                return true;
            }
        }

        error = $"cannot find {Name}: not beside {baseDirectory} nor on the PATH. Install it (see docs/cli.md), or set {EnvironmentVariable} to its path.";
        return false;
    }

    /// <summary>Fills in the program and arguments of a start.</summary>
    /// <param name="start">The start info.</param>
    /// <param name="arguments">The server's arguments.</param>
    public void AddTo(ProcessStartInfo start, IEnumerable<string> arguments)
    {
        foreach (var argument in LeadingArguments.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
    }

    /// <summary>Gets the whole command line, for a shell: the program then every argument.</summary>
    public IEnumerable<string> CommandLine(IEnumerable<string> arguments) => [FileName, .. LeadingArguments, .. arguments];

    private static ServerProgram ForPath(string path, IDictionary environment) =>
        path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ServerProgram(DotnetHost(environment), ["exec", path])
            : new ServerProgram(path, []);

    private static string DotnetHost(IDictionary environment) =>
        IsDotnetHost(Environment.ProcessPath) ? Environment.ProcessPath!
        : environment["DOTNET_HOST_PATH"] is string host && host.Length > 0 ? host
        : "dotnet";

    private static bool IsDotnetHost(string? path) =>
        path is not null && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
}
