using ServerDashboard.Benchmarks;

// Whole-system scenarios against the real dashboard executable, side by side with independent peers when available.
// Prints a table and writes JSON; never part of the test run.
// --supervise: issue 11's supervision benchmark only (with the peers, 60 s CPU window). --logs / --daemons / --rcon: only those scenarios; none of them: all. --no-peers skips the
// supervisord/PM2 baselines (slow); the log scenarios always run their tail -F floors (seconds).
var options = BenchmarkOptions.Parse(args);
var report = new BenchmarkReport();
if (options.Supervise)
{
    // Issue 11: supervising N servers with health checks and history on, beside supervisord and PM2 (same invocation).
    await new SuperviseScenario(options, report).RunAsync();
    report.Add("cpu window", options.CpuWindowSeconds, "s");
    await new PeerBaselines(options, report).RunAsync();
    SuperviseScenario.AddRatios(report);
    report.PrintTable(Console.Out);
    await report.WriteJsonAsync(options.JsonPath);
    return;
}

if (!options.LogsOnly && !options.RconOnly)
{
    await new DaemonScenarios(options, report).RunAsync();
    if (!options.SkipPeers)
    {
        await new PeerBaselines(options, report).RunAsync();
    }
}

if (!options.DaemonsOnly && !options.RconOnly)
{
    await new LogScenarios(options, report).RunAsync();
}

if (!options.DaemonsOnly && !options.LogsOnly)
{
    await new RconScenarios(options, report).RunAsync();
}

report.PrintTable(Console.Out);
await report.WriteJsonAsync(options.JsonPath);
Console.WriteLine($"JSON written to {options.JsonPath}");
