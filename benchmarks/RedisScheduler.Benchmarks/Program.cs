using BenchmarkDotNet.Running;

// Runs the benchmarks chosen with --filter (for example --filter '*'); see benchmarks/README.md.
BenchmarkSwitcher.FromAssembly(typeof(RedisScheduler.Benchmarks.SchedulerFixture).Assembly).Run(args);
