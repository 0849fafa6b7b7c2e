using ServerDashboard.Benchmarks;

// Whole-system scenarios against the real dashboard executable, side by side with independent peers.
// Prints a table and writes JSON; never part of the test run (docs/PERFORMANCE.md).
//   all          issue 15's table: every scenario, each beside its peer from this invocation (≈ 8–10 min)
//   scale        supervise 100 / 300 / 1,000 servers (--counts 100,300,1000): CPU, RSS, start-all, stop-all growth
//   --supervise  issue 11's supervision benchmark only (with the peers, 60 s CPU window)
//   --logs / --daemons / --rcon: only those scenarios; none of them (and no mode): all three without the verdicts.
//   --baselines  only the blank Blazor, minimal ASP.NET Core and stack-floor apps (RSS idle, cold start)
//   --no-peers skips the supervisord/PM2 baselines (slow; with --supervise too); the log scenarios always run their tail -F floors (seconds).
var options = BenchmarkOptions.Parse(args);
var report = new BenchmarkReport();
if (options.BaselinesOnly)
{
    await new BaselineApps(report).RunAsync();
    await FinishAsync();
    return;
}

if (options.Scale)
{
    await new ScaleScenario(options, report).RunAsync();
    await FinishAsync();
    return;
}

if (options.Supervise || options.All)
{
    // Issue 11: supervising N servers with health checks and history on, beside supervisord and PM2 (same invocation).
    await new SuperviseScenario(options, report).RunAsync();
    report.Add("cpu window", options.CpuWindowSeconds, "s");
    if (options.Supervise)
    {
        if (!options.SkipPeers)
        {
            await new PeerBaselines(options, report).RunAsync();
        }

        SuperviseScenario.AddRatios(report);
        await FinishAsync();
        return;
    }
}

if (options.All)
{
    await new BaselineApps(report).RunAsync();
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

if (options.All)
{
    SuperviseScenario.AddRatios(report);
    Verdicts.Judge(report, options.Servers);
}

await FinishAsync();

async Task FinishAsync()
{
    report.PrintTable(Console.Out);
    Console.WriteLine($"load average at the end: {BenchmarkReport.LoadAverage()} ({Environment.ProcessorCount} cores)");
    await report.WriteJsonAsync(options.JsonPath);
    Console.WriteLine($"JSON written to {options.JsonPath}");
}
