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

    /// <summary>The peers' server: one line a second.</summary>
    public static readonly string[] Command = ["sh", "-c", "while :; do echo line; sleep 1; done"];

    /// <summary>Clients that start the servers, as the benchmark: 16 concurrent curl processes.</summary>
    public const int Concurrency = 16;

    public const string IdleRss = "dashboard RSS, idle (no servers)";

    public static string StartAll(int n) => $"start {n} via REST (16 concurrent curl) → all Running";

    public static string StopAll(int n) => $"stop all {n}";

    public static string RssWith(int n) => $"dashboard RSS with {n} servers, steady (60 s after the starts)";

    public static string RssGrowth(int n) => $"dashboard RSS growth for {n} servers";
    public static string CurlFloor(int n) => $"client floor: {n} GET /api/v1/health from {Concurrency} concurrent curl (no start)";

    public static string Readopt(int n) => $"re-adopt {n} after SIGKILL (PID file loading, in process)";

    public async Task RunAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("sd-bench-").FullName;
        var n = options.Servers;
        Console.WriteLine($"Daemon scenarios: {n} servers, data directory {dataDir}");
        var key = await DashboardRunner.CreateApiKeyAsync(dataDir);
        var ids = new List<int>();
        // The first start creates and migrates the database; the scenarios run on a later start, as on an installed
        // dashboard. (The cold-start figure is ColdStartRounds', alternating with the blank Blazor app.)
        report.Add("dashboard first start (creates the database) → healthy", await DashboardRunner.StartAndStopAsync(dataDir), "ms");

        await using (var dashboard = new DashboardRunner(dataDir))
        {
            await dashboard.StartAsync();
            await Task.Delay(BaselineApps.Settle); // as the baselines: RSS after the same idle time
            report.Add(IdleRss, dashboard.RssMb(), "MB");
            using var api = Client(dashboard, key);
            for (var i = 0; i < n; i++)
            {
                var definition = new
                {
                    name = $"writer-{i}",
                    command = Command,
                    stop = new { mode = "SigTerm", timeoutSeconds = 10 },
                };
                var created = await api.PostAsJsonAsync("/api/v1/servers", definition, Json);
                created.EnsureSuccessStatusCode();
                ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetInt32());
            }

            var rssBefore = dashboard.RssMb();
            var cpuBeforeStart = dashboard.CpuSeconds();
            report.Add(StartAll(n), await StartAllThroughCurlAsync(dashboard, api, key, ids), "ms", "≤ 0.5 × supervisord (startsecs=0)");
            // CPU the dashboard spent on it: far less sensitive to other load on the machine than the wall-clock figure.
            report.Add($"dashboard CPU for start {n} (utime + stime)", (dashboard.CpuSeconds() - cpuBeforeStart) * 1000, "ms");

            var started = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(10)); // let start-up work (JIT tiering, GC) settle before sampling
            report.Add("dashboard RSS with definitions, before starting", rssBefore, "MB");
            report.Add($"dashboard RSS with {n} servers, 10 s after the starts", dashboard.RssMb(), "MB");
            // The 10 s window (the 60 s one is the supervise scenario's).
            var window = Math.Min(10, options.CpuWindowSeconds);
            report.Add($"dashboard CPU with {n} servers ({window} s)", await dashboard.CpuPercentAsync(TimeSpan.FromSeconds(window)), "%");

            // The verdict's figure is the steady state a minute after the burst, what the host pays from then on: 10 s
            // after it the GC still holds the burst's memory (the dashboard's MemoryTrimmer returns it within 30-40 s,
            // docs/PERFORMANCE.md), so that sample says more about when the GC last ran than about the servers.
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, 60 - started.Elapsed.TotalSeconds)));
            double steady = dashboard.RssMb();
            report.Add(RssWith(n), steady, "MB");
            report.Add(RssGrowth(n), steady - report.Get(IdleRss)!.Value, "MB", "≤ 25");

            // What the client side of the start figure costs on its own: the same 100 curl processes, 16 at a time,
            // against an endpoint that does nothing (the health check). No server is started; the rest of the start
            // figure is the dashboard's work and the servers' own fork/exec.
            report.Add(CurlFloor(n), await CurlFloorAsync(dashboard.BaseAddress.ToString(), key, n, expectAnswer: true), "ms");
            report.Add($"client floor: {n} curl processes, {Concurrency} at a time, to a closed port (curl alone)",
                await CurlFloorAsync($"http://127.0.0.1:{ClosedPort()}/", key, n, expectAnswer: false), "ms");

            // A crash: SIGKILL, no shutdown code; the servers keep running and the next start re-adopts them.
            await dashboard.KillAsync();
        }

        await using (var restarted = new DashboardRunner(dataDir))
        {
            var restart = Stopwatch.StartNew();
            report.Add("restart after SIGKILL → healthy (PID files loaded before serving)", await restarted.StartAsync(), "ms");
            using var api = Client(restarted, key);
            var statuses = await WaitAllAsync(api, n, "Running");
            report.Add($"restart after SIGKILL → all {n} re-adopted (wall, incl. .NET start-up)", restart.Elapsed.TotalMilliseconds, "ms");
            var adopted = statuses.Count(s => s.GetProperty("loadedFromDisk").GetBoolean());
            report.Add("re-adopted with loadedFromDisk=true", adopted, "count", $"= {n}");
            if (await ReadAdoptionMsAsync(dataDir) is { } adoptionMs)
            {
                report.Add(Readopt(n), adoptionMs, "ms", "≤ 1000");
            }

            var cpuBeforeStop = restarted.CpuSeconds();
            var stop = Stopwatch.StartNew();
            var response = await api.PostAsync("/api/v1/servers/shutdown-all", null);
            response.EnsureSuccessStatusCode();
            await WaitAllAsync(api, n, "Stopped");
            report.Add(StopAll(n), stop.Elapsed.TotalMilliseconds, "ms", "≤ supervisord");
            report.Add($"dashboard CPU for stop all {n} (utime + stime)", (restarted.CpuSeconds() - cpuBeforeStop) * 1000, "ms");
            await restarted.StopAsync();
        }

        ScratchDirectory.RemoveUnlessKept(dataDir);
    }

    /// <summary>
    /// POST /start for every id from <see cref="Concurrency"/> concurrent curl processes (clients outside both this
    /// process and the dashboard), then polls until all are Running. Returns milliseconds from the first request.
    /// </summary>
    public static async Task<double> StartAllThroughCurlAsync(DashboardRunner dashboard, HttpClient api, string key, IReadOnlyList<int> ids, string state = "Running")
    {
        var started = Stopwatch.StartNew();
        var codes = await CurlEachAsync(dashboard.BaseAddress.ToString(), key, ids, "-X POST", "/api/v1/servers/{}/start");
        var refused = codes.Count(c => !c.StartsWith('2'));
        if (refused > 0)
        {
            throw new InvalidOperationException($"{refused} start requests were refused: {string.Join(' ', codes)}");
        }

        await WaitAllAsync(api, ids.Count, state);
        return started.Elapsed.TotalMilliseconds;
    }

    /// <summary>A loopback port nothing listens on: bound, never listened, released (a connect gets RST at once).</summary>
    private static int ClosedPort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>The client side of the start figure alone: <paramref name="n"/> GET /api/v1/health through the same curl
    /// pipeline; <paramref name="expectAnswer"/> false for a closed port (curl's 000).</summary>
    public static async Task<double> CurlFloorAsync(string baseAddress, string key, int n, bool expectAnswer)
    {
        var started = Stopwatch.StartNew();
        var codes = await CurlEachAsync(baseAddress, key, Enumerable.Range(1, n).ToList(), "", "/api/v1/health?n={}");
        var elapsed = started.Elapsed.TotalMilliseconds;
        var failed = codes.Count(c => c.StartsWith('2') != expectAnswer);
        return failed > 0 ? throw new InvalidOperationException($"{failed} of {n} curl calls did not end as expected: {string.Join(' ', codes)}") : elapsed;
    }

    /// <summary>
    /// One curl process per item, <see cref="Concurrency"/> at a time (clients outside both this process and the dashboard),
    /// <c>{}</c> in <paramref name="pathTemplate"/> replaced by the item; returns each call's HTTP status ("000": no answer).
    /// </summary>
    private static async Task<string[]> CurlEachAsync(string baseAddress, string key, IReadOnlyList<int> items, string curlOptions, string pathTemplate)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"xargs -P {Concurrency} -I{{}} curl -s -o /dev/null -w '%{{http_code}}\\n' {curlOptions} -H \"X-Api-Key: $KEY\" \"$BASE{pathTemplate}\"");
        start.Environment["KEY"] = key;
        start.Environment["BASE"] = baseAddress.TrimEnd('/');
        using var curl = Process.Start(start)!;
        await curl.StandardInput.WriteAsync(string.Join('\n', items) + "\n");
        curl.StandardInput.Close();
        var codes = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        return codes.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static async Task<double> StopAllAsync(HttpClient api, int n)
    {
        var stop = Stopwatch.StartNew();
        (await api.PostAsync("/api/v1/servers/shutdown-all", null)).EnsureSuccessStatusCode();
        await WaitAllAsync(api, n, "Stopped");
        return stop.Elapsed.TotalMilliseconds;
    }

    public static HttpClient Client(DashboardRunner dashboard, string key)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = dashboard.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public static async Task<List<JsonElement>> WaitAllAsync(HttpClient api, int count, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
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

            await Task.Delay(20);
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
