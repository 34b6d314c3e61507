// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

// The side-by-side run (docs/performance.md): Apache ZooKeeper 3.8 and ZkAspire in the same
// topology, the same workloads through the same client (zkaspire bench), alternating, several
// repetitions each; memory and cold start on fresh servers; the results written into
// docs/performance.md with SVG plots.
using ZkAspire.Cli;
using ZkAspire.Performance;

// The bench runs in this process: its client's socket completions run on the epoll thread, as in
// the zkaspire program (the servers it starts do not inherit this; ZkAspireServerProgram).
InlineSocketCompletions.PreferForThisProcess();

PerformanceOptions options;
try
{
    options = PerformanceOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("ZkAspire.Performance: " + e.Message);
    Console.Error.WriteLine(PerformanceOptions.Usage);
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

try
{
    await new SideBySideRun(options, Console.Out).RunAsync(cancellation.Token);
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("ZkAspire.Performance: cancelled");
    return 1;
}
catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
{
    Console.Error.WriteLine("ZkAspire.Performance: " + e.Message);
    return 1;
}
