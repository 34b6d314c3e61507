// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace ZkAspire.Playground.BrowserTests;

/// <summary>What the node script did: its exit code, its output, and its <c>RESULT</c> line's JSON.</summary>
/// <param name="ExitCode">The exit code (0 when every check in the browser passed).</param>
/// <param name="Output">Its stdout and stderr, as they came.</param>
/// <param name="Result">The JSON after <c>RESULT </c> on its last such line, or null.</param>
internal sealed record BrowserScriptRun(int ExitCode, string Output, string? Result);

/// <summary>
/// Finds node, Debian's chromium and the script's npm packages, and runs <c>playground.mjs</c>.
/// A missing piece is a failure that says what to install (.ci/run installs them), never a skip.
/// </summary>
internal sealed class BrowserScript
{
    private BrowserScript(string node, string chromium, string directory)
    {
        Node = node;
        Chromium = chromium;
        Directory = directory;
    }

    /// <summary>Gets the node program.</summary>
    public string Node { get; }

    /// <summary>Gets the chromium program.</summary>
    public string Chromium { get; }

    /// <summary>Gets the folder of the script and its node_modules (this project's source folder).</summary>
    public string Directory { get; }

    /// <summary>Gets a value set at build time (<c>AssemblyMetadata</c> in the project file).</summary>
    public static string BuildValue(string key) =>
        typeof(BrowserScript).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The assembly has no metadata {key}.");

    /// <summary>Finds what the script needs, or explains what is missing.</summary>
    /// <param name="problem">What is missing and how to get it, when something is.</param>
    public static BrowserScript? Find(out string? problem)
    {
        var directory = BuildValue("BrowserTestsDirectory");
        var node = FindOnPath("node");
        // ZKASPIRE_CHROMIUM names another chromium or Chrome; Debian's package installs /usr/bin/chromium.
        var chromium = Environment.GetEnvironmentVariable("ZKASPIRE_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
        var missing = new List<string>();
        if (node is null)
        {
            missing.Add("node is not on PATH (apt-get install nodejs npm)");
        }

        if (!File.Exists(chromium))
        {
            missing.Add($"{chromium} does not exist (apt-get install chromium, or set ZKASPIRE_CHROMIUM)");
        }

        if (!File.Exists(Path.Combine(directory, "node_modules", "puppeteer-core", "package.json")))
        {
            missing.Add($"puppeteer-core is not installed in {directory} (run npm ci there)");
        }

        problem = missing.Count == 0 ? null : "The browser test needs node, chromium and puppeteer-core; .ci/run installs them. Missing: " + string.Join("; ", missing) + ".";
        return problem is null ? new BrowserScript(node!, chromium, directory) : null;
    }

    /// <summary>Runs the script against the dashboard; kills it (and its chromium) if it runs longer than <paramref name="timeout"/>.</summary>
    public async Task<BrowserScriptRun> RunAsync(Uri dashboard, string screenshots, string profile, Action<string> log, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Node)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Directory,
        };
        foreach (var argument in new[] { "playground.mjs", "--dashboard", dashboard.ToString(), "--screenshots", screenshots, "--chromium", Chromium, "--profile", profile })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        string? result = null;
        void OnLine(string? line, string prefix)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.Append(prefix).AppendLine(line);
                if (line.StartsWith("RESULT ", StringComparison.Ordinal))
                {
                    result = line["RESULT ".Length..];
                }
            }

            log(prefix + line);
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => OnLine(e.Data, "node: ");
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, "node stderr: ");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            OnLine($"did not finish within {timeout.TotalSeconds:0} s; killed", "test: ");
        }
        finally
        {
            if (!process.HasExited)
            {
                // Its tree holds chromium and chromium's own processes.
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            }
        }

        lock (output)
        {
            return new BrowserScriptRun(process.ExitCode, output.ToString(), result);
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program))
            .FirstOrDefault(File.Exists);
}
