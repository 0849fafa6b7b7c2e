namespace ServerDashboard.Benchmarks;

/// <summary>Issue 15's table: every scenario of one <c>all</c> run beside its peer from the same run, with its target.</summary>
public static class Verdicts
{
    public static void Judge(BenchmarkReport report, BenchmarkOptions options)
    {
        var n = options.Servers;
        report.VerdictByRatio($"CPU, {n} servers × 1 line/s, 60 s, health + history", SuperviseScenario.CpuName, "%", "supervisord", "supervisord: CPU", 0.5);
        report.VerdictByRatio($"CPU, {n} servers, vs PM2 (issue 11: ≤ 0.5 × best peer)", SuperviseScenario.CpuName, "%", "PM2", "pm2: CPU", 0.5);
        report.VerdictByRatio("RSS idle, no servers", DaemonScenarios.IdleRss, "MB", "blank Blazor Server app", BaselineApps.BlazorRss, 1.3);
        report.VerdictByValue($"RSS growth for {n} servers", DaemonScenarios.RssGrowth(n), "MB", 25, "supervisord (all)", "supervisord: supervisord_rss_kb", 1 / 1024.0);
        report.VerdictByRatio($"stop all {n}", DaemonScenarios.StopAll(n), "ms", "supervisord", "supervisord: stop all", 1);
        report.VerdictByRatio($"start {n} via REST, 16 concurrent curl → all alive", DaemonScenarios.StartAll(n), "ms", "supervisord startsecs=0", $"supervisord: all {n} RUNNING", 0.5);
        ColdStart(report, options);
        LogLatency(report, options);
        report.VerdictByValue($"re-adopt {n} after SIGKILL (in process)", DaemonScenarios.Readopt(n), "ms", 1000);
        LogThroughput(report);
        report.VerdictByValue("RCON round trip p50", RconScenarios.OursP50, "ms", 0.3, "npm rcon-client", "RCON npm rcon-client: p50");
    }

    /// <summary>Medians of the alternating starts (<see cref="ColdStartRounds"/>).</summary>
    public static void ColdStart(BenchmarkReport report, BenchmarkOptions options) =>
        report.VerdictByRatio($"cold start → first /api/v1/health (median of {options.ColdRounds}, alternating)", ColdStartRounds.OursMedian, "ms",
            "blank Blazor Server app", ColdStartRounds.BlankMedian, 2);

    /// <summary>Medians of the rounds' p99s, warm, alternating with tail -F (<see cref="LogScenarios"/>).</summary>
    public static void LogLatency(BenchmarkReport report, BenchmarkOptions options) =>
        report.VerdictByRatio($"log write → hub client, p99 (warm, median of {options.LatencyRounds} rounds, alternating)", LogScenarios.OursP99, "ms",
            "tail -F", LogScenarios.TailP99, 2);

    public static void LogThroughput(BenchmarkReport report) =>
        report.VerdictByRatio("log throughput (lines/s ingested)", "log ingest lines/s", "l/s", "tail -F", "tail -F: lines/s forwarded (line, file)", 0.8, higherIsBetter: true);
}
