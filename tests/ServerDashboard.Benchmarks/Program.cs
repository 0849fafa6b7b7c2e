using ServerDashboard.Benchmarks;

// Whole-system scenarios against the real dashboard executable, side by side with independent peers when available.
// Prints a table and writes JSON; never part of the test run.
var options = BenchmarkOptions.Parse(args);
var report = new BenchmarkReport();
await new DaemonScenarios(options, report).RunAsync();
if (!options.SkipPeers)
{
    await new PeerBaselines(options, report).RunAsync();
}

report.PrintTable(Console.Out);
await report.WriteJsonAsync(options.JsonPath);
Console.WriteLine($"JSON written to {options.JsonPath}");
