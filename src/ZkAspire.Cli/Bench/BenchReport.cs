// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ZkAspire.Cli.Bench;

/// <summary>Formats results as a table for people and as JSON lines for programs.</summary>
internal static class BenchReport
{
    private static readonly string[] Columns = ["workload", "clients", "inflight", "payload", "ops/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors"];

    /// <summary>Formats results as an aligned table, one row per workload, with a line per error kind under it.</summary>
    /// <param name="results">The results.</param>
    /// <returns>The lines of the table.</returns>
    public static IReadOnlyList<string> Table(IReadOnlyList<BenchResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = new List<string[]> { Columns };
        foreach (var r in results)
        {
            rows.Add(
            [
                Name(r),
                Format(r.Clients),
                Format(r.InFlight),
                Format(r.PayloadBytes),
                r.OperationsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                Milliseconds(r.Latency.P50),
                Milliseconds(r.Latency.P90),
                Milliseconds(r.Latency.P99),
                Milliseconds(r.Latency.P999),
                Milliseconds(r.Latency.Max),
                Format(r.Errors),
            ]);
        }

        var widths = new int[Columns.Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var lines = new List<string>();
        for (var index = 0; index < rows.Count; index++)
        {
            var row = rows[index];
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                // The workload name is left-aligned, the numbers right-aligned.
                line.Append(i == 0 ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
                if (i + 1 < row.Length)
                {
                    line.Append("  ");
                }
            }

            lines.Add(line.ToString().TrimEnd());
            if (index > 0 && results[index - 1].ErrorsByKind.Count > 0)
            {
                foreach (var (kind, count) in results[index - 1].ErrorsByKind.OrderByDescending(e => e.Value))
                {
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {count} x {kind}"));
                }
            }
        }

        return lines;
    }

    /// <summary>Formats one result as one line of JSON (latencies in microseconds).</summary>
    /// <param name="result">The result.</param>
    /// <returns>The line, without a line end.</returns>
    public static string JsonLine(BenchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("workload", WorkloadName(result.Workload));
            if (result.Label is not null)
            {
                json.WriteString("label", result.Label);
            }

            json.WriteString("server", result.ConnectString);
            json.WriteNumber("clients", result.Clients);
            json.WriteNumber("inflight", result.InFlight);
            json.WriteNumber("payload", result.PayloadBytes);
            if (result.ReadRatio is { } ratio)
            {
                json.WriteNumber("readRatio", ratio);
            }

            if (result.Locks is { } locks)
            {
                json.WriteNumber("locks", locks);
            }

            json.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            json.WriteNumber("ops", result.Operations);
            json.WriteNumber("opsPerSec", Math.Round(result.OperationsPerSecond, 1));
            json.WriteNumber("errors", result.Errors);
            json.WriteStartObject("errorsByKind");
            foreach (var (kind, count) in result.ErrorsByKind)
            {
                json.WriteNumber(kind, count);
            }

            json.WriteEndObject();
            json.WriteStartObject("latencyUs");
            json.WriteNumber("min", Microseconds(result.Latency.Min));
            json.WriteNumber("mean", Math.Round(result.Latency.Mean / 1000.0, 1));
            json.WriteNumber("p50", Microseconds(result.Latency.P50));
            json.WriteNumber("p90", Microseconds(result.Latency.P90));
            json.WriteNumber("p99", Microseconds(result.Latency.P99));
            json.WriteNumber("p999", Microseconds(result.Latency.P999));
            json.WriteNumber("max", Microseconds(result.Latency.Max));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>The workload's name on the command line and in JSON.</summary>
    /// <param name="workload">The workload.</param>
    /// <returns>The name.</returns>
    public static string WorkloadName(BenchWorkload workload) => workload switch
    {
        BenchWorkload.Create => "create",
        BenchWorkload.Set => "set",
        BenchWorkload.Get => "get",
        BenchWorkload.Mixed => "mixed",
        BenchWorkload.Watch => "watch",
        BenchWorkload.Lock => "lock",
        BenchWorkload.Mutex => "mutex",
        BenchWorkload.Failover => "failover",
        _ => throw new ArgumentOutOfRangeException(nameof(workload)),
    };

    /// <summary>Formats failover rounds as an aligned table, one row per round, with a line per error kind under it.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The lines of the table.</returns>
    public static IReadOnlyList<string> FailoverTable(Failover.FailoverResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string[] columns = ["round", "killed", "new leader", "failover ms", "election ms", "all writers ms", "errors"];
        var rows = new List<string[]> { columns };
        rows.AddRange(result.Rounds.Select(r => new[]
        {
            Format(r.Round),
            r.Killed.ToString(),
            r.NewLeader?.ToString() ?? "-",
            Milliseconds(r.FirstWrite),
            r.Election is { } election ? Milliseconds(election) : "-",
            Milliseconds(r.AllWriters),
            Format(r.Errors),
        }));
        var widths = columns.Select((_, i) => rows.Max(row => row[i].Length)).ToArray();
        var lines = new List<string>();
        for (var index = 0; index < rows.Count; index++)
        {
            // The addresses are left-aligned, the numbers right-aligned.
            lines.Add(string.Join("  ", rows[index].Select((cell, i) => i is 1 or 2 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
            if (index > 0)
            {
                foreach (var (kind, count) in result.Rounds[index - 1].ErrorsByKind.OrderByDescending(e => e.Value))
                {
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {count} x {kind}"));
                }
            }
        }

        return lines;
    }

    /// <summary>Formats one failover round as one line of JSON (times in milliseconds).</summary>
    /// <param name="result">The result the round belongs to.</param>
    /// <param name="round">The round.</param>
    /// <returns>The line, without a line end.</returns>
    public static string FailoverJsonLine(Failover.FailoverResult result, Failover.FailoverRound round)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(round);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("workload", "failover");
            if (result.Label is not null)
            {
                json.WriteString("label", result.Label);
            }

            json.WriteString("server", result.ConnectString);
            json.WriteNumber("clients", result.Clients);
            json.WriteNumber("round", round.Round);
            json.WriteNumber("rounds", result.Rounds.Count);
            json.WriteString("killed", round.Killed.Address);
            if (round.NewLeader is { } leader)
            {
                json.WriteString("newLeader", leader.Address);
            }
            else
            {
                json.WriteNull("newLeader");
            }

            json.WriteNumber("failoverMs", Math.Round(round.FirstWrite.TotalMilliseconds, 1));
            if (round.Election is { } election)
            {
                json.WriteNumber("electionMs", Math.Round(election.TotalMilliseconds, 1));
            }
            else
            {
                json.WriteNull("electionMs");
            }

            json.WriteNumber("allWritersMs", Math.Round(round.AllWriters.TotalMilliseconds, 1));
            json.WriteNumber("killCommandMs", Math.Round(round.KillCommand.TotalMilliseconds, 1));
            json.WriteNumber("errors", round.Errors);
            json.WriteStartObject("errorsByKind");
            foreach (var (kind, count) in round.ErrorsByKind)
            {
                json.WriteNumber(kind, count);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static string Milliseconds(TimeSpan time) => time.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Name(BenchResult r) => r.Workload switch
    {
        BenchWorkload.Mixed => WorkloadName(r.Workload) + "-" + Math.Round(r.ReadRatio.GetValueOrDefault() * 100).ToString(CultureInfo.InvariantCulture),
        _ => WorkloadName(r.Workload),
    };

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static double Microseconds(long nanoseconds) => Math.Round(nanoseconds / 1000.0, 1);

    private static string Milliseconds(long nanoseconds) => (nanoseconds / 1_000_000.0).ToString("0.000", CultureInfo.InvariantCulture);
}
