using ServerDashboard.Benchmarks;

// Whole-system scenarios against the real dashboard executable, side by side with independent peers.
// Prints a table and writes JSON; never part of the test run (docs/PERFORMANCE.md).
//   all          issue 15's table: every scenario, each beside its peer from this invocation (≈ 13 min)
//   scale        supervise 100 / 300 / 1,000 servers (--counts 100,300,1000): CPU, RSS, start-all, stop-all growth
//   --supervise  issue 11's supervision benchmark only (with the peers, 60 s CPU window)
//   --logs / --daemons / --rcon: only those scenarios; none of them (and no mode): all three without the verdicts.
//                (The daemon scenarios measure no cold start: --cold-start, --baselines or all does, against the blank app.)
//   --baselines  only the blank Blazor, minimal ASP.NET Core and stack-floor apps (RSS idle, cold start; the blank app's
//                cold start alternating with the dashboard's, --cold-rounds N, default 5)
//   --cold-start only the cold-start comparison: dashboard and blank Blazor app alternately, --cold-rounds N; with its verdict
//   --latency-rounds R: warm log latency and tail -F's, alternately, R rounds of 1,000 lines (default 3); --logs prints
//                the log verdicts
//   --no-peers skips the supervisord/PM2 baselines (slow; with --supervise too); the log scenarios always run their tail -F floors (seconds).
var options = BenchmarkOptions.Parse(args);
var report = new BenchmarkReport();
// Ctrl+C ends the process as it always has; the scenarios take a token so a caller can stop them between steps.
var cancellationToken = CancellationToken.None;
if (options.BaselinesOnly)
{
    await new BaselineApps(options, report).RunAsync(cancellationToken);
    await FinishAsync();
    return;
}

if (options.ColdStartOnly)
{
    await new BaselineApps(options, report).RunColdStartAsync(cancellationToken);
    Verdicts.ColdStart(report, options);
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
    await new BaselineApps(options, report).RunAsync(cancellationToken);
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
    await new LogScenarios(options, report).RunAsync(cancellationToken);
    if (options.LogsOnly)
    {
        Verdicts.LogLatency(report, options);
        Verdicts.LogThroughput(report);
    }
}

if (!options.DaemonsOnly && !options.LogsOnly)
{
    await new RconScenarios(options, report).RunAsync();
}

if (options.All)
{
    SuperviseScenario.AddRatios(report);
    Verdicts.Judge(report, options);
}

await FinishAsync();

async Task FinishAsync()
{
    report.PrintTable(Console.Out);
    Console.WriteLine($"load average at the end: {BenchmarkReport.LoadAverage()} ({Environment.ProcessorCount} cores)");
    await report.WriteJsonAsync(options.JsonPath);
    Console.WriteLine($"JSON written to {options.JsonPath}");
}
