using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// Issue 3's scenarios: N servers of <c>sh -c 'while :; do echo line; sleep 1; done'</c> → all Running; the dashboard's
/// RSS and CPU with them; a dashboard restart → all re-adopted; stop all.
/// </summary>
public sealed class DaemonScenarios(BenchmarkOptions options, BenchmarkReport report)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task RunAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("sd-bench-").FullName;
        var n = options.Servers;
        Console.WriteLine($"Daemon scenarios: {n} servers, data directory {dataDir}");
        var key = await DashboardRunner.CreateApiKeyAsync(dataDir);
        var ids = new List<int>();
        await using (var dashboard = new DashboardRunner(dataDir))
        {
            report.Add("dashboard cold start → healthy", await dashboard.StartAsync(), "ms");
            using var api = Client(dashboard, key);
            for (var i = 0; i < n; i++)
            {
                var definition = new
                {
                    name = $"writer-{i}",
                    command = new[] { "sh", "-c", "while :; do echo line; sleep 1; done" },
                    stop = new { mode = "SigTerm", timeoutSeconds = 10 },
                };
                var created = await api.PostAsJsonAsync("/api/v1/servers", definition, Json);
                created.EnsureSuccessStatusCode();
                ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetInt32());
            }

            var rssBefore = dashboard.RssMb();
            var started = Stopwatch.StartNew();
            await Task.WhenAll(ids.Select(id => api.PostAsync($"/api/v1/servers/{id}/start", null)));
            await WaitAllAsync(api, n, "Running");
            report.Add($"start {n} → all Running", started.Elapsed.TotalMilliseconds, "ms", "≤ 600 and ≤ 0.5 × supervisord");

            await Task.Delay(TimeSpan.FromSeconds(10)); // let start-up work (JIT tiering, GC) settle before sampling
            report.Add("dashboard RSS, idle (no servers)", rssBefore, "MB");
            report.Add($"dashboard RSS with {n} servers", dashboard.RssMb(), "MB");
            report.Add($"dashboard CPU with {n} servers ({options.CpuWindowSeconds} s)", await dashboard.CpuPercentAsync(TimeSpan.FromSeconds(options.CpuWindowSeconds)), "%");

            await dashboard.StopAsync();
        }

        await using (var restarted = new DashboardRunner(dataDir))
        {
            var restart = Stopwatch.StartNew();
            report.Add("restart → healthy (PID files loaded before serving)", await restarted.StartAsync(), "ms");
            using var api = Client(restarted, key);
            var statuses = await WaitAllAsync(api, n, "Running");
            report.Add($"restart → all {n} re-adopted (wall, incl. .NET start-up)", restart.Elapsed.TotalMilliseconds, "ms");
            var adopted = statuses.Count(s => s.GetProperty("loadedFromDisk").GetBoolean());
            report.Add("re-adopted with loadedFromDisk=true", adopted, "count", $"= {n}");
            if (await ReadAdoptionMsAsync(dataDir) is { } adoptionMs)
            {
                report.Add($"re-adopt {n} (PID file loading, in process)", adoptionMs, "ms", "≤ 1000");
            }

            var stop = Stopwatch.StartNew();
            var response = await api.PostAsync("/api/v1/servers/shutdown-all", null);
            response.EnsureSuccessStatusCode();
            await WaitAllAsync(api, n, "Stopped");
            report.Add($"stop all {n}", stop.Elapsed.TotalMilliseconds, "ms", "≤ supervisord");
            await restarted.StopAsync();
        }

        if (Environment.GetEnvironmentVariable("BENCH_KEEP_DATA") is null)
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static HttpClient Client(DashboardRunner dashboard, string key)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = dashboard.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static async Task<List<JsonElement>> WaitAllAsync(HttpClient api, int count, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var statuses = await api.GetFromJsonAsync<List<JsonElement>>("/api/v1/servers/status", Json) ?? [];
            if (statuses.Count(s => s.GetProperty("state").GetString() == state) >= count)
            {
                return statuses;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not all {count} servers reached {state}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>The dashboard logs how long loading the PID files took; read it from today's log file.</summary>
    private static async Task<double?> ReadAdoptionMsAsync(string dataDir)
    {
        var logs = Path.Combine(dataDir, "logs");
        foreach (var file in Directory.Exists(logs) ? Directory.GetFiles(logs) : [])
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var lines = (await reader.ReadToEndAsync()).Split('\n');
            var line = lines.LastOrDefault(l => l.Contains("PID file loading complete") && l.Contains(" in "));
            if (line is not null)
            {
                var ms = line[(line.LastIndexOf(" in ", StringComparison.Ordinal) + 4)..].Split(' ')[0];
                return double.Parse(ms, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
