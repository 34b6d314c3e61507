// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace ZkAspire.Server.Host;

/// <summary>
/// The start-up log's runtime line (as ZooKeeper logs its JVM's version and arguments at start):
/// which build runs, and the collector settings that shape the server's pauses.
/// </summary>
internal static class RuntimeDescription
{
    /// <summary>The collector's name for the largest gen0 budget it will use, as <see cref="GC.GetConfigurationVariables"/> reports it.</summary>
    public const string Gen0MaxBudgetVariable = "GCGen0MaxBudget";

    /// <summary>Describes the runtime, e.g. <c>.NET 10.0.1, native AOT, workstation GC (concurrent), gen0 budget up to 6 MiB</c>.</summary>
    /// <returns>The description.</returns>
    public static string Describe()
    {
        // The project's PublishAot turns the dynamic-code feature switch off in the JIT build's
        // runtimeconfig too, so RuntimeFeature cannot tell the two apart; a JIT has compiled
        // methods by now, and native code has none.
        var build = JitInfo.GetCompiledMethodCount() > 0 ? "JIT" : "native AOT";
        var collector = GCSettings.IsServerGC ? "server GC" : "workstation GC";
        var mode = GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent";
        return string.Create(CultureInfo.InvariantCulture, $"{RuntimeInformation.FrameworkDescription}, {build}, {collector} ({mode}), gen0 budget {Gen0Budget()}");
    }

    // The collector's cap on the gen0 budget: sized from the L3 cache by default (16 MiB with a
    // 32 MiB L3), and the larger of 6 MiB and GCgen0size when that is given (the native build
    // compiles in 2 MiB; DOTNET_GCgen0size sets it for either build).
    private static string Gen0Budget() =>
        GC.GetConfigurationVariables().TryGetValue(Gen0MaxBudgetVariable, out var value) && value is long bytes and > 0
            ? string.Create(CultureInfo.InvariantCulture, $"up to {bytes / (1024.0 * 1024):0.#} MiB")
            : "as the runtime sizes it";
}
