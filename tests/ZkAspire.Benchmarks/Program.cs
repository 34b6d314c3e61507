// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

// BenchmarkDotNet micro-benchmarks (docs/performance.md, "Micro-benchmarks"). Not run by CI.
//   dotnet run -c Release --project tests/ZkAspire.Benchmarks -- --filter '*'
//   dotnet run -c Release --project tests/ZkAspire.Benchmarks -- --filter '*' --job short --inProcess   (a quick look)
using BenchmarkDotNet.Running;
using ZkAspire.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(FrameBenchmarks).Assembly).Run(args);
