using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Testing;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Metrics;

/// <summary>
/// The dashboard on a real Kestrel port, scraped by a real Prometheus server (Debian's <c>prometheus</c>) that this test
/// starts on a free loopback port with its own config and storage in a temp directory, then asks through its HTTP API.
/// </summary>
public sealed class PrometheusScrapeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [PromtoolFact]
    public async Task A_real_prometheus_scrapes_with_a_bearer_key_and_answers_up_1_for_a_running_server()
    {
        using var dashboard = StartOnRealPort(new Dictionary<string, string>(), out var baseAddress);
        var admin = await ClientWithKeyAsync(dashboard, baseAddress, Roles.Admin);
        var id = await CreateAndStartAsync(admin, ServerRequests.SampleGameServer("prometheus-scraped"));
        var scrapeKey = await dashboard.Services.GetRequiredService<ApiKeyService>()
            .CreateAsync("prometheus", Roles.Viewer, "tests", CancellationToken.None);
        using var prometheus = await PrometheusServer.StartAsync(baseAddress, scrapeKey.PlainTextKey);

        var value = await Eventually.ReturnsAsync(
            () => prometheus.QueryAsync($"serverdashboard_server_up{{id=\"{id}\"}}"),
            v => v == "1",
            Timeout, $"Prometheus to report serverdashboard_server_up{{id=\"{id}\"}} 1 (its log: {prometheus.Log})");

        Assert.Equal("1", value);
        Assert.Equal("1", await prometheus.QueryAsync($"serverdashboard_server_state{{id=\"{id}\",state=\"Running\",server=\"prometheus-scraped\"}}"));
        Assert.Equal("1", await prometheus.QueryAsync("up{job=\"serverdashboard\"}")); // Prometheus' own verdict on the scrape
    }

    [Fact]
    public async Task An_allow_listed_address_scrapes_without_a_key_and_others_still_need_one()
    {
        using (var allowed = StartOnRealPort(new Dictionary<string, string> { ["Dashboard:Metrics:AllowedScrapers:0"] = "127.0.0.0/8" }, out var allowedAddress))
        {
            using var anonymous = new HttpClient { BaseAddress = allowedAddress };
            var response = await anonymous.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("serverdashboard_jobs_running", await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/servers")).StatusCode); // only /metrics
        }

        using var elsewhere = StartOnRealPort(new Dictionary<string, string> { ["Dashboard:Metrics:AllowedScrapers:0"] = "10.0.0.0/8" }, out var elsewhereAddress);
        using var client = new HttpClient { BaseAddress = elsewhereAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Metrics_can_be_turned_off()
    {
        using var dashboard = StartOnRealPort(new Dictionary<string, string> { ["Dashboard:Metrics:Enabled"] = "false" }, out var baseAddress);
        var viewer = await ClientWithKeyAsync(dashboard, baseAddress, Roles.Viewer);

        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/metrics")).StatusCode);
    }

    private static DashboardFactory StartOnRealPort(Dictionary<string, string> settings, out Uri baseAddress)
    {
        var port = FreePort.Next();
        settings["urls"] = $"http://127.0.0.1:{port}";
        var factory = new DashboardFactory(settings: settings);
        factory.UseKestrel(port);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        baseAddress = new Uri($"http://127.0.0.1:{new Uri(address).Port}");
        return factory;
    }

    private static async Task<HttpClient> ClientWithKeyAsync(DashboardFactory factory, Uri baseAddress, string role)
    {
        var key = await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync($"test-{role}-{Guid.NewGuid():N}", role, "tests", CancellationToken.None);
        var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key.PlainTextKey);
        return client;
    }

    private static async Task<int> CreateAndStartAsync(HttpClient admin, ServerModel model)
    {
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        await DaemonSurvivalTests.WaitForStateAsync(admin, id, ServerState.Running);
        return id;
    }

    /// <summary>A private Prometheus: its own config, storage and port; killed (with its storage) on dispose.</summary>
    private sealed class PrometheusServer : IDisposable
    {
        private readonly Process process;
        private readonly TempDirectory directory;
        private readonly HttpClient api;
        private readonly System.Text.StringBuilder log = new();

        private PrometheusServer(Process process, TempDirectory directory, Uri address)
        {
            this.process = process;
            this.directory = directory;
            api = new HttpClient { BaseAddress = address };
        }

        public string Log
        {
            get
            {
                lock (log)
                {
                    var text = log.ToString();
                    return text.Length > 3000 ? text[^3000..] : text;
                }
            }
        }

        public static async Task<PrometheusServer> StartAsync(Uri dashboard, string bearerKey)
        {
            var directory = new TempDirectory("sd-prometheus");
            var port = FreePort.Next();
            var config = Path.Combine(directory.Path, "prometheus.yml");
            // Prometheus 2.x sends credentials as "Authorization: Bearer"; the key file keeps the key out of argv and the config.
            var keyFile = Path.Combine(directory.Path, "dashboard.key");
            await File.WriteAllTextAsync(keyFile, bearerKey);
            await File.WriteAllTextAsync(config, $"""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: serverdashboard
                    metrics_path: /metrics
                    authorization:
                      type: Bearer
                      credentials_file: {keyFile}
                    static_configs:
                      - targets: ["127.0.0.1:{dashboard.Port}"]
                """);
            var start = new ProcessStartInfo(PrometheusTools.Server,
                [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory.Path, "data")}", $"--web.listen-address=127.0.0.1:{port}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = directory.Path,
            };
            var process = Process.Start(start)!;
            var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}"));
            process.OutputDataReceived += (_, e) => server.Append(e.Data);
            process.ErrorDataReceived += (_, e) => server.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await Eventually.ReturnsAsync(server.ReadyAsync, ready => ready || process.HasExited, Timeout, "Prometheus to be ready");
            Assert.False(process.HasExited, $"prometheus exited with {(process.HasExited ? process.ExitCode : 0)}: {server.Log}");
            return server;
        }

        /// <summary>The value of an instant query's single result, or null while there is none.</summary>
        public async Task<string?> QueryAsync(string promql)
        {
            using var response = await api.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}");
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var result = json.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 1 ? result[0].GetProperty("value")[1].GetString() : null;
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process.Dispose();
            api.Dispose();
            directory.Dispose();
        }

        private async Task<bool> ReadyAsync()
        {
            try
            {
                return (await api.GetAsync("/-/ready")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }
            }
        }
    }
}
