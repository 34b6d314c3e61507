// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Hosting.Internal;

/// <summary>Finds the <c>zkaspire-server</c> program the replicas run and how to start it.</summary>
/// <remarks>
/// The program comes with this package: the build copies it to <c>zkaspire-server/</c> beside the
/// AppHost's assemblies (from this project's ProjectReference inside the repository, from the
/// package's <c>tools/zkaspire-server/</c> folder for a NuGet consumer; see docs/aspire.md). A
/// <c>.dll</c> is run with the <c>dotnet</c> host that runs the AppHost, an executable (e.g. from
/// a tool install) directly.
/// </remarks>
internal static class ZooKeeperServerProgram
{
    /// <summary>The folder, beside the AppHost's assemblies, that holds the server program.</summary>
    public const string FolderName = "zkaspire-server";

    /// <summary>The server program's file name.</summary>
    public const string FileName = "zkaspire-server.dll";

    /// <summary>An environment variable that, when set, names the server program to run instead of the bundled one.</summary>
    public const string PathVariable = "ZKASPIRE_SERVER_PROGRAM";

    /// <summary>The bundled program's path, or the one <see cref="PathVariable"/> names.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : Path.Combine(AppContext.BaseDirectory, FolderName, FileName);

    /// <summary>Whether <paramref name="path"/> is an assembly to run with <c>dotnet</c> rather than an executable.</summary>
    public static bool IsAssembly(string path) => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    /// <summary>The command that starts <paramref name="path"/>.</summary>
    public static string GetCommand(string path) => IsAssembly(path) ? DotNetHost : path;

    /// <summary>
    /// The <c>dotnet</c> host: the one the SDK names in <c>DOTNET_HOST_PATH</c>, the one running this
    /// process when it is <c>dotnet</c>, else <c>dotnet</c> from the PATH.
    /// </summary>
    private static string DotNetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
            {
                return hostPath;
            }

            if (Environment.ProcessPath is { } processPath
                && Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            {
                return processPath;
            }

            return "dotnet";
        }
    }
}
