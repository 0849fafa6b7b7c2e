namespace ServerDashboard.Benchmarks;

/// <summary>Issue 15's table: every scenario of one <c>all</c> run beside its peer from the same run, with its target.</summary>
public static class Verdicts
{
    public static void Judge(BenchmarkReport report, int n)
    {
        report.VerdictByRatio($"CPU, {n} servers × 1 line/s, 60 s, health + history", SuperviseScenario.CpuName, "%", "supervisord", "supervisord: CPU", 0.5);
        report.VerdictByRatio($"CPU, {n} servers, vs PM2 (issue 11: ≤ 0.5 × best peer)", SuperviseScenario.CpuName, "%", "PM2", "pm2: CPU", 0.5);
        report.VerdictByRatio("RSS idle, no servers", DaemonScenarios.IdleRss, "MB", "blank Blazor Server app", BaselineApps.BlazorRss, 1.3);
        report.VerdictByValue($"RSS growth for {n} servers", DaemonScenarios.RssGrowth(n), "MB", 25, "supervisord (all)", "supervisord: supervisord_rss_kb", 1 / 1024.0);
        report.VerdictByRatio($"stop all {n}", DaemonScenarios.StopAll(n), "ms", "supervisord", "supervisord: stop all", 1);
        report.VerdictByRatio($"start {n} via REST, 16 concurrent curl → all alive", DaemonScenarios.StartAll(n), "ms", "supervisord startsecs=0", $"supervisord: all {n} RUNNING", 0.5);
        report.VerdictByRatio("cold start → first /api/v1/health", DaemonScenarios.ColdStart, "ms", "blank Blazor Server app", BaselineApps.BlazorColdStart, 2);
        report.VerdictByRatio("log write → hub client, p99", "log latency write → hub client p99", "ms", "tail -F", "tail -F latency p99", 2);
        report.VerdictByValue($"re-adopt {n} after SIGKILL (in process)", DaemonScenarios.Readopt(n), "ms", 1000);
        report.VerdictByRatio("log throughput (lines/s ingested)", "log ingest lines/s", "l/s", "tail -F", "tail -F: lines/s forwarded (line, file)", 0.8, higherIsBetter: true);
        report.VerdictByValue("RCON round trip p50", RconScenarios.OursP50, "ms", 0.3, "npm rcon-client", "RCON npm rcon-client: p50");
    }
}
