using System.Net;
using System.Text;
using System.Text.Json;
using ServerDashboard.Auth;
using ServerDashboard.Schedules;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Schedules;

/// <summary>/api/v1/servers/{id}/schedules through the real app (real SQLite): shapes, validation, roles, hostile bodies.</summary>
public sealed class SchedulesApiTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory = fixture.Factory;

    private static object Nightly(string name = "nightly restart") => new
    {
        name, cron = "0 4 * * *", timeZone = "Europe/Berlin", action = "Restart", command = (string?)null, jobType = (string?)null,
        onlyIfRunning = true, enabled = true,
    };

    [Fact]
    public async Task An_operator_creates_lists_updates_and_deletes_a_schedule_with_the_issues_field_names()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var server = await CreateServerAsync("sched-crud");

        var created = await api.PostAsJsonAsync($"/api/v1/servers/{server}/schedules", Nightly());

        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var root = json.RootElement;
        var id = root.GetProperty("id").GetInt32();
        Assert.Equal($"/api/v1/servers/{server}/schedules/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal("nightly restart", root.GetProperty("name").GetString());
        Assert.Equal("0 4 * * *", root.GetProperty("cron").GetString());
        Assert.Equal("Europe/Berlin", root.GetProperty("timeZone").GetString());
        Assert.Equal("Restart", root.GetProperty("action").GetString());
        Assert.True(root.GetProperty("onlyIfRunning").GetBoolean());
        Assert.True(root.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("lastRun").ValueKind);
        var next = root.GetProperty("nextRunAt").GetDateTimeOffset();
        Assert.True(next > DateTimeOffset.UtcNow);
        Assert.Equal(4, TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Hour);

        var list = await api.GetFromJsonAsync<List<ScheduleView>>($"/api/v1/servers/{server}/schedules", JsonDefaults.Options);
        Assert.Equal(id, Assert.Single(list!).Id);
        Assert.Contains(await api.GetFromJsonAsync<List<ScheduleView>>("/api/v1/schedules", JsonDefaults.Options) ?? [], s => s.Id == id && s.ServerName == "sched-crud");

        var updated = await api.PutAsJsonAsync($"/api/v1/servers/{server}/schedules/{id}", new
        {
            name = "say hello", cron = "*/5 * * * *", timeZone = "UTC", action = "Command", command = "say hello", onlyIfRunning = true, enabled = false,
        });
        Assert.True(updated.StatusCode == HttpStatusCode.OK, await updated.Content.ReadAsStringAsync());
        var view = (await updated.ReadJsonAsync<ScheduleView>())!;
        Assert.Equal(("Command", "say hello", false), (view.Action, view.Command, view.Enabled));
        Assert.Null(view.NextRunAt); // disabled

        Assert.Empty((await api.GetFromJsonAsync<List<ScheduleRunView>>($"/api/v1/servers/{server}/schedules/{id}/runs", JsonDefaults.Options))!);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/servers/{server}/schedules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/v1/servers/{server}/schedules/{id}")).StatusCode);
        var audit = await (await api.GetAsync($"/api/v1/audit?serverId={server}")).Content.ReadAsStringAsync();
        Assert.Contains(ScheduleService.CreateAction, audit);
        Assert.Contains(ScheduleService.DeleteAction, audit);
    }

    [Fact]
    public async Task Unknown_servers_and_schedules_are_404s()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var server = await CreateServerAsync("sched-404");

        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/servers/999999/schedules")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsJsonAsync("/api/v1/servers/999999/schedules", Nightly())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PutAsJsonAsync($"/api/v1/servers/{server}/schedules/999999", Nightly())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/servers/{server}/schedules/999999/runs")).StatusCode);
    }

    public static TheoryData<string, string> InvalidBodies() => new()
    {
        { """{"name":"x","cron":"0 4 * *","action":"Restart"}""", "cron" },
        { """{"name":"x","cron":"0 0 4 * * *","action":"Restart"}""", "cron" },
        { """{"name":"x","cron":"0 0 30 2 *","action":"Restart"}""", "cron" },
        { """{"name":"x","action":"Restart"}""", "cron" },
        { """{"name":"x","cron":"0 4 * * *","runAt":"2099-01-01T00:00:00Z","action":"Restart"}""", "runAt" },
        { """{"name":"x","runAt":"2001-01-01T00:00:00Z","action":"Restart"}""", "runAt" },
        { """{"name":"x","cron":"0 4 * * *","timeZone":"Mars/Base","action":"Restart"}""", "timeZone" },
        { """{"name":"x","cron":"0 4 * * *","timeZone":"../../../etc/shadow","action":"Restart"}""", "timeZone" },
        { """{"name":"x","cron":"0 4 * * *","action":"Reboot"}""", "action" },
        { """{"name":"x","cron":"0 4 * * *","action":"7"}""", "action" },
        { """{"name":"x","cron":"0 4 * * *","action":"Command"}""", "command" },
        { """{"name":"x","cron":"0 4 * * *","action":"Command","command":"say a\nstop"}""", "command" },
        { """{"name":"x","cron":"0 4 * * *","action":"Restart","command":"say hi"}""", "command" },
        { """{"name":"x","cron":"0 4 * * *","action":"Job"}""", "jobType" },
        { """{"name":"x","cron":"0 4 * * *","action":"Job","jobType":"no-such-type"}""", "jobType" },
        { """{"name":"x","cron":"0 4 * * *","action":"Start","onlyIfRunning":true}""", "onlyIfRunning" },
        { """{"name":"x","cron":"0 4 * * *","action":"Restart","catchUp":"Always"}""", "catchUp" },
        { """{"name":"","cron":"0 4 * * *","action":"Restart"}""", "name" },
        { """{"cron":"0 4 * * *","action":"Restart"}""", "name" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_schedule_is_a_400_problem_naming_the_field(string body, string field)
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var server = await CreateServerAsync("sched-invalid-" + Guid.NewGuid().ToString("N")[..8]);

        var response = await api.PostAsync($"/api/v1/servers/{server}/schedules", new StringContent(body, Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        Assert.Empty((await api.GetFromJsonAsync<List<ScheduleView>>($"/api/v1/servers/{server}/schedules", JsonDefaults.Options))!);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{")]
    [InlineData("""{"name":{"a":1},"cron":"0 4 * * *","action":"Restart"}""")]
    [InlineData("""{"name":"x","cron":12,"action":"Restart"}""")]
    [InlineData("""{"name":"x","cron":"0 4 * * *","action":"Restart","onlyIfRunning":"yes"}""")]
    [InlineData("""{"name":"x","runAt":"not a time","action":"Restart"}""")]
    [InlineData("""{"name":"x","cron":"0 4 * * *","action":["Restart"]}""")]
    public async Task A_hostile_body_is_a_400_never_a_500(string body)
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var server = await CreateServerAsync("sched-hostile-" + Guid.NewGuid().ToString("N")[..8]);

        var post = await api.PostAsync($"/api/v1/servers/{server}/schedules", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True(post.StatusCode == HttpStatusCode.BadRequest, $"{post.StatusCode}: {await post.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Oversized_fields_are_400s()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var server = await CreateServerAsync("sched-oversized");
        var longText = new string('x', 100_000);

        foreach (var body in new object[]
        {
            new { name = longText, cron = "0 4 * * *", action = "Restart" },
            new { name = "x", cron = longText, action = "Restart" },
            new { name = "x", cron = "0 4 * * *", timeZone = longText, action = "Restart" },
            new { name = "x", cron = "0 4 * * *", action = "Command", command = longText },
            new { name = "x", cron = "0 4 * * *", action = "Job", jobType = longText },
        })
        {
            var response = await api.PostAsJsonAsync($"/api/v1/servers/{server}/schedules", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task Viewers_read_schedules_but_cannot_change_them()
    {
        var operatorApi = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        var server = await CreateServerAsync("sched-viewer");
        var created = (await (await operatorApi.PostAsJsonAsync($"/api/v1/servers/{server}/schedules", Nightly())).ReadJsonAsync<ScheduleView>())!;

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/v1/servers/{server}/schedules")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/v1/servers/{server}/schedules/{created.Id}/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/v1/servers/{server}/schedules", Nightly())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync($"/api/v1/servers/{server}/schedules/{created.Id}", Nightly())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/v1/servers/{server}/schedules/{created.Id}")).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_server_deletes_its_schedules()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var server = await CreateServerAsync("sched-server-deleted");
        var created = (await (await api.PostAsJsonAsync($"/api/v1/servers/{server}/schedules", Nightly())).ReadJsonAsync<ScheduleView>())!;

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/servers/{server}")).StatusCode);

        Assert.DoesNotContain(await api.GetFromJsonAsync<List<ScheduleView>>("/api/v1/schedules", JsonDefaults.Options) ?? [], s => s.Id == created.Id);
    }

    private async Task<int> CreateServerAsync(string name)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.SampleGameServer(name), JsonDefaults.Options);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.ReadJsonAsync<ServerDashboard.Servers.ServerModel>())!.Id!.Value;
    }
}
