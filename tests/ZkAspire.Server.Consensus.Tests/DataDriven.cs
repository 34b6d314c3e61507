// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Runtime.CompilerServices;
using System.Text;

namespace ZkAspire.Server.Consensus.Tests;

/// <summary>
/// etcd's datadriven format: each block is comment lines (<c>#</c>), a command line, a <c>----</c>
/// line and the expected output up to a blank line. A run executes the commands in order and
/// compares outputs; with <c>ZKASPIRE_REWRITE=1</c> it writes the actual outputs back into the
/// file instead (review the diff before committing: "only commit the changes if you understand
/// what caused them").
/// </summary>
internal static class DataDriven
{
    public static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    public static IEnumerable<string> Files(string folder) =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, folder), "*.txt")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!;

    public static void Run(string folder, string file, Func<string, IReadOnlyList<string>, string> execute)
    {
        var rewrite = Environment.GetEnvironmentVariable("ZKASPIRE_REWRITE") == "1";
        var path = rewrite
            ? Path.Combine(SourceDirectory(), folder, file)
            : Path.Combine(AppContext.BaseDirectory, folder, file);
        var lines = File.ReadAllLines(path);
        var output = new StringBuilder();
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                output.Append(line).Append('\n');
                i++;
                continue;
            }

            var commandLine = i + 1;
            var command = line;
            i++;
            if (i >= lines.Length || lines[i] != "----")
            {
                throw new InvalidDataException($"{file}:{commandLine}: expected ---- after the command.");
            }

            i++;
            var expected = new List<string>();
            while (i < lines.Length && lines[i].Length > 0)
            {
                expected.Add(lines[i++]);
            }

            var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string actual;
            try
            {
                actual = execute(parts[0], parts[1..]).TrimEnd('\n');
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                actual = "error: " + ex.Message;
            }

            var actualLines = actual.Length == 0 ? [] : actual.Split('\n');
            if (actualLines.Any(l => l.Length == 0))
            {
                throw new InvalidDataException($"{file}:{commandLine}: output of '{command}' contains a blank line.");
            }

            if (!rewrite && !actualLines.SequenceEqual(expected))
            {
                Assert.Fail($"{file}:{commandLine}: {command}\n--- expected\n{string.Join('\n', expected)}\n--- actual\n{actual}");
            }

            output.Append(command).Append('\n').Append("----\n");
            foreach (var outLine in actualLines)
            {
                output.Append(outLine).Append('\n');
            }
        }

        if (rewrite)
        {
            File.WriteAllText(path, output.ToString());
        }
    }
}
