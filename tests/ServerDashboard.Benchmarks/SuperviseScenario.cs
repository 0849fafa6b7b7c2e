using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// Issue 11's benchmark (<c>--supervise</c>): N servers of <c>sh -c 'while :; do echo line; sleep 1; done'</c> supervised
/// for the CPU window at the default monitoring interval with health checks and resource history on; the dashboard's
/// CPU and RSS beside supervisord's and PM2's (run in the same invocation), and the history's growth per server-day.
/// </summary>
public sealed class SuperviseScenario(BenchmarkOptions options, BenchmarkReport report)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public const string CpuName = "supervise: dashboard CPU";
    public const string RssName = "supervise: dashboard RSS";

    public async Task RunAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("sd-bench-supervise-").FullName;
        var n = options.Servers;
        var window = TimeSpan.FromSeconds(options.CpuWindowSeconds);
        Console.WriteLine($"Supervise: {n} servers for {window.TotalSeconds} s, data directory {dataDir}");
        var key = await DashboardRunner.CreateApiKeyAsync(dataDir);
        await using (var dashboard = new DashboardRunner(dataDir))
        {
            await dashboard.StartAsync();
            using var api = new HttpClient { BaseAddress = dashboard.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            api.DefaultRequestHeaders.Add("X-Api-Key", key);
            var ids = new List<int>();
            for (var i = 0; i < n; i++)
            {
                var created = await api.PostAsJsonAsync("/api/v1/servers", new
                {
                    name = $"writer-{i}",
                    command = new[] { "sh", "-c", "while :; do echo line; sleep 1; done" },
                    stop = new { mode = "SigTerm", timeoutSeconds = 10 },
                }, Json);
                created.EnsureSuccessStatusCode();
                ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetInt32());
            }

            await Task.WhenAll(ids.Select(id => api.PostAsync($"/api/v1/servers/{id}/start", null)));
            await WaitAllRunningAsync(api, n);
            await Task.Delay(TimeSpan.FromSeconds(10)); // start-up work (JIT tiering, GC) settles first

            var rowsBefore = await CountSamplesAsync(dataDir);
            var cpu = await dashboard.CpuPercentAsync(window);
            var rowsAfter = await CountSamplesAsync(dataDir);
            report.Add($"{CpuName} ({n} servers, {window.TotalSeconds:0} s, health + history)", cpu, "%", "≤ 0.5 × best peer");
            report.Add(CpuName, cpu, "%");
            report.Add(RssName, dashboard.RssMb(), "MB");

            var rowsPerServerDay = (rowsAfter - rowsBefore) / (double)n * 86_400 / window.TotalSeconds;
            report.Add("history: samples per server-day (full resolution)", rowsPerServerDay, "rows");
            await Task.WhenAll(ids.Select(id => api.PostAsync($"/api/v1/servers/{id}/kill", null)));
            await dashboard.StopAsync();
        }

        if (await BytesPerSampleAsync(dataDir) is { } bytesPerRow)
        {
            var rowsPerDay = report.Get("history: samples per server-day (full resolution)") ?? 0;
            report.Add("history: bytes per stored sample (table + indexes)", bytesPerRow, "B");
            report.Add("history: growth per server-day (first day, every tick)", rowsPerDay * bytesPerRow / 1_048_576, "MB");
            // Steady state per server: 24 h of ticks + 6 days of minute averages + 83 days of hour averages.
            var steadyRows = rowsPerDay + 6 * 1440 + 83 * 24;
            report.Add("history: size per server at steady state (24 h ticks, 7 d minutes, 90 d hours)", steadyRows * bytesPerRow / 1_048_576, "MB");
        }

        ScratchDirectory.RemoveUnlessKept(dataDir);
    }

    /// <summary>The dashboard's CPU as a ratio of each peer's (after the peers ran).</summary>
    public static void AddRatios(BenchmarkReport report)
    {
        foreach (var (peer, prefix) in new[] { ("supervisord", "supervisord"), ("pm2", "pm2_daemon") })
        {
            var theirs = report.Get($"{peer}: CPU");
            if (report.Get(CpuName) is { } ours && theirs is > 0)
            {
                report.Add($"supervise: CPU ratio vs {peer}", ours / theirs.Value, "×", "≤ 0.5");
            }

            if (report.Get(RssName) is { } rss && report.Get($"{peer}: {prefix}_rss_kb") is { } theirRss and > 0)
            {
                report.Add($"supervise: RSS ratio vs {peer}", rss * 1024 / theirRss, "×");
            }
        }
    }

    private static async Task<long> CountSamplesAsync(string dataDir)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "dashboard.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM ResourceSamples";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>On-disk bytes of the samples table and its indexes per row (SQLite's dbstat), after a checkpoint.</summary>
    private static async Task<double?> BytesPerSampleAsync(string dataDir)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "dashboard.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await command.ExecuteNonQueryAsync();
        command.CommandText = "SELECT COUNT(*) FROM ResourceSamples";
        var rows = (long)(await command.ExecuteScalarAsync())!;
        if (rows == 0)
        {
            return null;
        }

        try
        {
            command.CommandText = "SELECT SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'ResourceSamples')";
            return Convert.ToDouble(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) / rows;
        }
        catch (SqliteException)
        {
            return null; // SQLite built without dbstat
        }
    }

    private static async Task WaitAllRunningAsync(HttpClient api, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while ((await api.GetFromJsonAsync<List<JsonElement>>("/api/v1/servers/status", Json) ?? []).Count(s => s.GetProperty("state").GetString() == "Running") < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not all {count} servers reached Running");
            }

            await Task.Delay(50);
        }
    }
}
