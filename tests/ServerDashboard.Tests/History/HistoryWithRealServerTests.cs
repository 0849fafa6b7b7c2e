using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Servers.Crashes;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.History;

/// <summary>A real SampleGameServer under a real dashboard (monitoring every second): its samples reach the history and
/// its console reaches a crash record.</summary>
public sealed class HistoryWithRealServerTests : IDisposable
{
    private readonly DashboardFactory factory = new(settings: new Dictionary<string, string>(DashboardFactory.UnlimitedRates)
    {
        ["Dashboard:Monitoring:IntervalSeconds"] = "1",
    });

    private async Task<(HttpClient Api, int Id)> StartAsync(string name)
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = await api.PostAsJsonAsync("/api/v1/servers", ServerRequests.SampleGameServer(name, "--heartbeat-ms", "0"), JsonDefaults.Options);
        var id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
        return (api, id);
    }

    private static async Task<List<JsonElement>> SamplesAsync(HttpClient api, int id)
    {
        var from = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O");
        var body = await api.GetFromJsonAsync<JsonElement>($"/api/v1/servers/{id}/metrics?from={Uri.EscapeDataString(from)}&step=1");
        return body.GetProperty("samples").EnumerateArray().ToList();
    }

    private static async Task SendAsync(HttpClient api, int id, string command)
    {
        var sent = await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command }, JsonDefaults.Options);
        Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Samples_appear_and_memory_grows_after_alloc_200()
    {
        var (api, id) = await StartAsync("history-alloc");
        try
        {
            var before = await Eventually.ReturnsAsync(() => SamplesAsync(api, id),
                s => s.Count >= 2 && s[^1].GetProperty("memoryBytes").ValueKind == JsonValueKind.Number, TimeSpan.FromSeconds(20), "samples in the history");
            var baseline = before[^1].GetProperty("memoryBytes").GetInt64();
            Assert.True(before[^1].GetProperty("threads").GetInt32() > 0);
            Assert.True(before[^1].GetProperty("openFiles").GetInt32() > 0);

            await SendAsync(api, id, "alloc 200");

            await Eventually.ReturnsAsync(() => SamplesAsync(api, id),
                s => s[^1].GetProperty("memoryBytes").GetInt64() >= baseline + 180L * 1024 * 1024, TimeSpan.FromSeconds(20),
                $"RSS to grow by 200 MB from {baseline / 1048576} MB");
        }
        finally
        {
            await api.PostAsync($"/api/v1/servers/{id}/kill", null);
        }
    }

    [Fact]
    public async Task A_crash_record_holds_the_real_console_lines_before_the_crash()
    {
        var (api, id) = await StartAsync("history-crash");
        await SendAsync(api, id, "say the last words");
        await SendAsync(api, id, "crash 3");
        await Eventually.ReturnsAsync(async () => (await api.GetFromJsonAsync<ServerStatus>($"/api/v1/servers/{id}/status", JsonDefaults.Options))!,
            s => !s.State.IsActive(), TimeSpan.FromSeconds(20), "the server to exit");

        // The supervisor's exit handler records it (the real path, not a hand-made report).
        var body = await Eventually.ReturnsAsync(() => api.GetFromJsonAsync<JsonElement>($"/api/v1/servers/{id}/crashes"),
            b => b.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(20), "the crash record");
        var crash = Assert.Single(body.GetProperty("items").EnumerateArray().ToList());
        var lines = crash.GetProperty("lastLines").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.InRange(lines.Count, 2, 50);
        Assert.Contains(lines, l => l.Contains("[Server] the last words"));
        Assert.Contains(lines, l => l.Contains("Simulated crash, exiting with code 3"));
        Assert.Contains("Crashing with exit code 3", lines[^1]);
        Assert.Equal(3, crash.GetProperty("exitCode").GetInt32());
        Assert.Contains("Crashed (exit code 3)", CrashSummary.Describe((await factory.Services.GetRequiredService<CrashHistory>().LatestAsync(id, CancellationToken.None))!));
    }

    public void Dispose() => factory.Dispose();
}
