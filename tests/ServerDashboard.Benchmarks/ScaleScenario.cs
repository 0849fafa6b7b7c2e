using System.Net.Http.Json;
using System.Text.Json;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// Issue 15's scale run (<c>scale</c>): the supervise scenario at 100, 300 and 1,000 servers (<c>sleep</c> servers, so
/// the machine's two cores measure the dashboard rather than 1,000 shells), each count on a fresh dashboard: start all
/// through the REST API (16 concurrent curl), CPU over the window with health checks and history on, RSS, stop all;
/// then each figure per server, so growth that is worse than linear stands out.
/// </summary>
public sealed class ScaleScenario(BenchmarkOptions options, BenchmarkReport report)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task RunAsync()
    {
        var counts = options.ScaleCounts ?? [100, 300, 1000];
        foreach (var n in counts)
        {
            await RunOneAsync(n);
        }

        foreach (var n in counts)
        {
            report.Add($"scale {n}: start-all per server", report.Get($"scale {n}: start all") / n ?? 0, "ms");
            report.Add($"scale {n}: stop-all per server", report.Get($"scale {n}: stop all") / n ?? 0, "ms");
            report.Add($"scale {n}: CPU per 100 servers", report.Get($"scale {n}: CPU") * 100 / n ?? 0, "%");
            report.Add($"scale {n}: RSS growth per server", report.Get($"scale {n}: RSS growth") * 1024 / n ?? 0, "kB");
        }
    }

    private async Task RunOneAsync(int n)
    {
        var dataDir = Directory.CreateTempSubdirectory($"sd-bench-scale-{n}-").FullName;
        Console.WriteLine($"Scale: {n} servers, data directory {dataDir}");
        var key = await DashboardRunner.CreateApiKeyAsync(dataDir);
        await using (var dashboard = new DashboardRunner(dataDir))
        {
            await dashboard.StartAsync();
            await Task.Delay(BaselineApps.Settle);
            var idle = dashboard.RssMb();
            using var api = DaemonScenarios.Client(dashboard, key);
            var ids = new int[n];
            await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var created = await api.PostAsJsonAsync("/api/v1/servers", new
                {
                    name = $"sleeper-{i}",
                    command = new[] { "sleep", "100000" },
                    stop = new { mode = "SigTerm", timeoutSeconds = 10 },
                }, Json, ct);
                created.EnsureSuccessStatusCode();
                ids[i] = (await created.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("id").GetInt32();
            });

            report.Add($"scale {n}: start all", await DaemonScenarios.StartAllThroughCurlAsync(dashboard, api, key, ids), "ms");
            await Task.Delay(TimeSpan.FromSeconds(10));
            report.Add($"scale {n}: CPU", await dashboard.CpuPercentAsync(TimeSpan.FromSeconds(options.CpuWindowSeconds)), "%");
            report.Add($"scale {n}: RSS", dashboard.RssMb(), "MB");
            report.Add($"scale {n}: RSS growth", dashboard.RssMb() - idle, "MB");
            report.Add($"scale {n}: stop all", await DaemonScenarios.StopAllAsync(api, n), "ms");
            await dashboard.StopAsync();
        }

        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
