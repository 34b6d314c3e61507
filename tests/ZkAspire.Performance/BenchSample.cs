// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text.Json;

namespace ZkAspire.Performance;

/// <summary>One run of one workload against one server: a JSON line of <c>zkaspire bench</c>.</summary>
internal sealed record BenchSample(
    ServerFlavor Flavor,
    string Workload,
    int Repetition,
    double OpsPerSecond,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double P999Ms,
    long Operations,
    long Errors,
    string ErrorsByKind,
    string Json)
{
    public static BenchSample Parse(ServerFlavor flavor, int repetition, string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var latency = root.GetProperty("latencyUs");
        return new BenchSample(
            flavor,
            root.GetProperty("workload").GetString()!,
            repetition,
            root.GetProperty("opsPerSec").GetDouble(),
            latency.GetProperty("p50").GetDouble() / 1000,
            latency.GetProperty("p90").GetDouble() / 1000,
            latency.GetProperty("p99").GetDouble() / 1000,
            latency.GetProperty("p999").GetDouble() / 1000,
            root.GetProperty("ops").GetInt64(),
            root.GetProperty("errors").GetInt64(),
            root.GetProperty("errorsByKind").GetRawText(),
            line);
    }
}
