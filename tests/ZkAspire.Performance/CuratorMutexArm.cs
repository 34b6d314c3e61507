// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ZkAspire.Performance;

/// <summary>
/// The Apache ZooKeeper side of the mutex comparison (issue 8: "lock acquisitions per second with
/// our mutex against Curator's on ZooKeeper"): Curator 5.4's <c>InterProcessMutex</c> (Debian's
/// jars) in <c>Java/CuratorMutexBench.java</c>, run as a single-file source program, in the shape
/// of <c>zkaspire bench -w mutex</c> (the same sessions × contenders, warm-up and duration), which
/// is what runs our recipe's mutex against ZkAspire. It prints a JSON line in the bench's shape.
/// </summary>
internal static class CuratorMutexArm
{
    /// <summary>Debian's Curator, ZooKeeper client and their dependencies.</summary>
    private static readonly string ClassPath = string.Join(':', new[]
    {
        "curator-recipes", "curator-framework", "curator-client", "zookeeper", "zookeeper-jute", "guava", "slf4j-api", "slf4j-nop",
    }.Select(jar => "/usr/share/java/" + jar + ".jar"));

    public static bool IsInstalled => File.Exists("/usr/share/java/curator-recipes.jar") && File.Exists("/usr/bin/java");

    public static async Task<string> RunAsync(string connectString, PerformanceOptions options, string label, CancellationToken cancellationToken)
    {
        if (!IsInstalled)
        {
            throw new InvalidOperationException("Curator's jars are not installed (the mutex arm runs Curator's InterProcessMutex against Apache ZooKeeper): apt-get install libcurator-recipes-java");
        }

        var warmup = Cli.Bench.BenchArguments.Time("--warmup", options.Warmup, allowZero: true);
        var duration = Cli.Bench.BenchArguments.Time("--duration", options.Duration, allowZero: false);
        var start = new ProcessStartInfo("/usr/bin/java")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The JVM's defaults otherwise, as the servers run: C2 included, so Curator is compiled at its best by the end of the warm-up.
        foreach (var argument in new[]
        {
            "-Xmx512m", "-cp", ClassPath, Path.Combine(AppContext.BaseDirectory, "Java", "CuratorMutexBench.java"),
            connectString, Invariant(options.Clients), Invariant(options.InFlight), "1",
            Invariant((long)warmup.TotalMilliseconds), Invariant((long)duration.TotalMilliseconds), "/zkaspire-bench", label,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("java did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(warmup + duration + TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("CuratorMutexBench did not finish in time");
        }

        var line = (await output.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (process.ExitCode != 0 || line is null || !line.StartsWith('{'))
        {
            var said = new StringBuilder(await error.ConfigureAwait(false));
            throw new InvalidOperationException(Invariant($"CuratorMutexBench against {connectString} failed with exit code {process.ExitCode}: {said}"));
        }

        return line;
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
