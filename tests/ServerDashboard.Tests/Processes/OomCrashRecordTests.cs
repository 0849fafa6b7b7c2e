using System.Net;
using System.Text.Json;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Processes;

/// <summary>The kernel's OOM killer, end to end: cgroup limit → kill → crash record and console marker that name it.</summary>
[Collection(CgroupCollection.Name)]
public sealed class OomCrashRecordTests : IDisposable
{
    private readonly DashboardFactory factory = new(settings: new Dictionary<string, string>(DashboardFactory.UnlimitedRates));

    [Fact]
    public async Task A_server_over_its_memory_limit_is_OOM_killed_and_its_crash_record_and_console_say_so()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var model = ServerRequests.SampleGameServer("oom", "--heartbeat-ms", "0");
        // 128 MB, not 64: the .NET runtime of the sample server itself needs a few tens of MB to start.
        model.Limits = new LimitsModel { MaxMemoryMb = 128 };
        var created = await api.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);

        await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = "alloc 200" }, JsonDefaults.Options);

        var body = await Eventually.ReturnsAsync(() => api.GetFromJsonAsync<JsonElement>($"/api/v1/servers/{id}/crashes"),
            b => b.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(30), "the crash record");
        var crash = body.GetProperty("items")[0];
        Assert.Equal("OomKilled", crash.GetProperty("classification").GetString());
        Assert.Equal("killed by the OOM killer at its memory limit (128 MB)", crash.GetProperty("description").GetString());
        Assert.Equal(9, crash.GetProperty("signal").GetInt32());
        // The dashboard's marker line for the transition to Crashed: it goes in once the server's console.log has been read
        // up to the crash (ConsoleMarkers: after the server's own last lines), a moment after the crash record.
        await Eventually.ReturnsAsync(() => api.GetStringAsync($"/api/v1/servers/{id}/logs?lines=50"),
            logs => logs.Contains("OOM killer", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the OOM marker line");
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/health")).StatusCode); // the dashboard is unharmed
    }

    public void Dispose() => factory.Dispose();
}
