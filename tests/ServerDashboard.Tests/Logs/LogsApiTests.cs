using System.Net;
using ServerDashboard.Auth;
using ServerDashboard.Logs;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Logs;

/// <summary>The logs REST API against a real SampleGameServer daemon.</summary>
public sealed class LogsApiTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task A_started_servers_console_is_served_by_tail_by_afterSeq_and_as_a_download()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        var created = await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.SampleGameServer("logs-api"), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        try
        {
            var tail = await Eventually.ReturnsAsync(
                () => viewer.GetFromJsonAsync<List<LogLine>>($"/api/v1/servers/{id}/logs?lines=50", JsonDefaults.Options)!,
                lines => lines!.Any(l => l.Text.Contains("Done (")), TimeSpan.FromSeconds(60), "the Done line in the logs API");
            Assert.All(tail!, l => Assert.Contains(l.Source, new[] { "console", "dashboard" })); // the server's lines and the start markers
            Assert.Equal(tail!.Select(l => l.Seq).Order(), tail!.Select(l => l.Seq));

            await DaemonSurvivalTests.WaitForStateAsync(admin, id, ServerState.Running);
            var last = tail![^1].Seq;
            var newer = await viewer.GetFromJsonAsync<List<LogLine>>($"/api/v1/servers/{id}/logs?afterSeq={last}", JsonDefaults.Options);
            Assert.All(newer!, l => Assert.True(l.Seq > last));
            var middle = tail[tail.Count / 2].Seq;
            var resumed = await viewer.GetFromJsonAsync<List<LogLine>>($"/api/v1/servers/{id}/logs?afterSeq={middle}", JsonDefaults.Options);
            Assert.Equal(tail.Where(l => l.Seq > middle).Select(l => l.Seq), resumed!.Select(l => l.Seq).Take(tail.Count(l => l.Seq > middle)));

            var raw = await viewer.GetStringAsync($"/api/v1/servers/{id}/logs?lines=1");
            Assert.Matches("""^\[\{"seq":\d+,"text":".*","timestamp":\d+,"source":"(console|dashboard)"\}\]$""", raw);

            var download = await viewer.GetAsync($"/api/v1/servers/{id}/logs/download");
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("text/plain", download.Content.Headers.ContentType!.MediaType);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
            Assert.Equal("logs-api-console.log", download.Content.Headers.ContentDisposition.FileNameStar ?? download.Content.Headers.ContentDisposition.FileName);
            var body = await download.Content.ReadAsStringAsync();
            var file = await File.ReadAllTextAsync(Path.Combine(factory.DataDirectory, "servers", $"{id}", "console.log"));
            Assert.StartsWith(body, file); // the file may have grown since
            Assert.Contains("Done (", body);
        }
        finally
        {
            await admin.PostAsync($"/api/v1/servers/{id}/kill", null);
        }
    }

    [Fact]
    public async Task Unknown_servers_are_404()
    {
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);

        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/v1/servers/987654/logs")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/v1/servers/987654/logs/download")).StatusCode);
    }

    [Fact]
    public async Task Logs_need_an_authenticated_viewer()
    {
        var anonymous = factory.CreateAnonymousClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/servers/1/logs")).StatusCode);
    }
}
