// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ZkAspire.Performance;

/// <summary>What the numbers were measured on: written into the report beside them.</summary>
internal sealed record MachineFacts(
    string Cpu,
    int Cores,
    string Memory,
    string OperatingSystem,
    string Kernel,
    string DotNet,
    string Java,
    string TempFileSystem,
    string Commit,
    string Configuration)
{
    public static async Task<MachineFacts> CollectAsync(string repositoryRoot)
    {
        var cpuinfo = await File.ReadAllLinesAsync("/proc/cpuinfo").ConfigureAwait(false);
        var meminfo = await File.ReadAllLinesAsync("/proc/meminfo").ConfigureAwait(false);
        var osRelease = File.Exists("/etc/os-release") ? await File.ReadAllLinesAsync("/etc/os-release").ConfigureAwait(false) : [];
        var cpu = cpuinfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memoryKb = meminfo.First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var os = osRelease.Length > 0
            ? osRelease.FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"') ?? "unknown"
            : RuntimeInformation.OSDescription;
        var kernel = (await File.ReadAllTextAsync("/proc/sys/kernel/osrelease").ConfigureAwait(false)).Trim();
        var java = (await RunAsync("/usr/bin/java", ["-version"], stderr: true).ConfigureAwait(false)).Split('\n').FirstOrDefault()?.Trim() ?? "unknown";
        var fileSystem = (await RunAsync("stat", ["-f", "-c", "%T", Path.GetTempPath()]).ConfigureAwait(false)).Trim();
        var commit = (await RunAsync("git", ["-C", repositoryRoot, "rev-parse", "--short", "HEAD"]).ConfigureAwait(false)).Trim();
        var dirty = (await RunAsync("git", ["-C", repositoryRoot, "status", "--porcelain", "--untracked-files=no", "src"]).ConfigureAwait(false)).Trim().Length > 0;
#if DEBUG
        const string configuration = "Debug (numbers from a Debug build are not comparable)";
#else
        const string configuration = "Release";
#endif
        return new MachineFacts(
            cpu,
            Environment.ProcessorCount,
            $"{long.Parse(memoryKb, System.Globalization.CultureInfo.InvariantCulture) / 1024 / 1024.0:0.#} GiB",
            os,
            kernel,
            RuntimeInformation.FrameworkDescription,
            java,
            fileSystem + " (" + Path.GetTempPath() + ")",
            commit + (dirty ? " with uncommitted changes in src/" : string.Empty),
            configuration);
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b);

    private static async Task<string> RunAsync(string program, string[] arguments, bool stderr = false)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            return stderr ? await error.ConfigureAwait(false) : await output.ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException or InvalidOperationException)
        {
            return "unknown";
        }
    }
}
