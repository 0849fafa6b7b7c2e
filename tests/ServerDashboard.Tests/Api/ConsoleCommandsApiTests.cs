using ServerDashboard.Testing;
using System.Net;
using System.Text.Json;
using ServerDashboard.Api;
using ServerDashboard.Auth;
using ServerDashboard.Logs;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Api;

/// <summary>POST /api/v1/servers/{id}/commands and its audit trail, with real SampleGameServer daemons.</summary>
public sealed class ConsoleCommandsApiTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task An_operator_sends_a_command_over_rcon_and_gets_the_reply_which_also_reaches_the_console()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(RconServer("cmd-rcon", "{rconPassword}"));

        var sent = await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = "echo hello" }, JsonDefaults.Options);

        Assert.True(sent.StatusCode == HttpStatusCode.OK, await sent.Content.ReadAsStringAsync());
        var reply = (await sent.ReadJsonAsync<CommandResponse>())!;
        Assert.Equal("hello", reply.Response);
        Assert.Equal("rcon", reply.Via);
        Assert.True(reply.DurationMs >= 0);
        var lines = await LogsAsync(api, id);
        Assert.Contains(lines, l => l.Source == "rcon" && l.Text == "> echo hello");
        Assert.Contains(lines, l => l.Source == "rcon" && l.Text == "hello");
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task A_server_without_rcon_gets_the_command_on_stdin_and_its_reply_appears_in_the_console_log()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(ServerRequests.SampleGameServer("cmd-stdin", "--heartbeat-ms", "0"));

        var sent = await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = "say hi" }, JsonDefaults.Options);

        Assert.True(sent.StatusCode == HttpStatusCode.OK, await sent.Content.ReadAsStringAsync());
        var reply = (await sent.ReadJsonAsync<CommandResponse>())!;
        Assert.Equal("", reply.Response);
        Assert.Equal("stdin", reply.Via);
        var consoleLog = Path.Combine(factory.DataDirectory, "servers", $"{id}", "console.log");
        await Eventually.ReturnsAsync(
            async () => string.Join("\n", (await LogsAsync(api, id)).Select(l => l.Text)) + "\n--- console.log:\n" + await File.ReadAllTextAsync(consoleLog),
            text => text.Split("--- console.log:")[0].Contains("[Server] hi"), Timeout, "[Server] hi in the console (GET .../logs)");
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task A_command_to_a_stopped_server_is_a_409_and_to_an_unknown_one_a_404()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await CreateAsync(ServerRequests.SampleGameServer("cmd-stopped"));

        var stopped = await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = "list" }, JsonDefaults.Options);
        var unknown = await api.PostAsJsonAsync("/api/v1/servers/999999/commands", new { command = "list" }, JsonDefaults.Options);

        Assert.Equal(HttpStatusCode.Conflict, stopped.StatusCode);
        Assert.Contains("not running", await stopped.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("say a\nstop")]
    [InlineData("say a\0b")]
    public async Task An_empty_or_multi_line_command_is_a_400(string command)
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await CreateAsync(ServerRequests.SampleGameServer("cmd-invalid-" + Guid.NewGuid().ToString("N")[..8]));

        var sent = await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command }, JsonDefaults.Options);

        Assert.Equal(HttpStatusCode.BadRequest, sent.StatusCode);
    }

    [Fact]
    public async Task An_oversized_command_is_a_400_naming_the_limit()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await CreateAsync(ServerRequests.SampleGameServer("cmd-oversized"));

        var sent = await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = new string('x', 1447) }, JsonDefaults.Options);

        Assert.Equal(HttpStatusCode.BadRequest, sent.StatusCode);
        Assert.Contains("1446", await sent.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_wrong_rcon_password_is_a_502_that_says_so_and_the_audit_records_it_without_any_password()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(RconServer("cmd-wrong-password", "not-the-stored-one"));

        var sent = await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = "echo secret-check" }, JsonDefaults.Options);

        Assert.Equal(HttpStatusCode.BadGateway, sent.StatusCode);
        Assert.Contains("wrong RCON password", await sent.Content.ReadAsStringAsync());
        var storedPassword = await StoredRconPasswordAsync(id);
        var audit = await (await api.GetAsync($"/api/v1/audit?serverId={id}")).Content.ReadAsStringAsync();
        Assert.Contains("wrong RCON password", audit);
        Assert.DoesNotContain(storedPassword, audit);
        Assert.DoesNotContain("not-the-stored-one", audit);
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Fact]
    public async Task A_viewer_cannot_send_commands()
    {
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        var id = await CreateAsync(ServerRequests.SampleGameServer("cmd-viewer"));

        var sent = await viewer.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = "list" }, JsonDefaults.Options);

        Assert.Equal(HttpStatusCode.Forbidden, sent.StatusCode);
    }

    [Fact]
    public async Task The_audit_lists_commands_power_actions_and_definition_changes_with_actor_and_result_and_no_password()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await StartRunningAsync(RconServer("cmd-audited", "{rconPassword}"));
        await api.PostAsJsonAsync($"/api/v1/servers/{id}/commands", new { command = "echo audited" }, JsonDefaults.Options);
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);

        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        var response = await viewer.GetAsync($"/api/v1/audit?serverId={id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        var entries = JsonSerializer.Deserialize<List<AuditEntryModel>>(json, JsonDefaults.Options)!;
        Assert.Equal(["Kill", "Command", "Start", "CreateServer"], entries.Select(e => e.Action));
        var command = entries.Single(e => e.Action == "Command");
        Assert.StartsWith("apikey:test-Operator-", command.Actor);
        Assert.Equal("echo audited", command.Detail);
        Assert.Equal("audited", command.Result);
        Assert.True(command.Success);
        Assert.Equal("cmd-audited", command.ServerName);
        Assert.StartsWith("apikey:test-Admin-", entries.Single(e => e.Action == "CreateServer").Actor);
        Assert.DoesNotContain(await StoredRconPasswordAsync(id), json);

        var onlyCommands = await viewer.GetFromJsonAsync<List<AuditEntryModel>>($"/api/v1/audit?serverId={id}&action=Command&take=1", JsonDefaults.Options);
        Assert.Single(onlyCommands!);
        var tooMany = await viewer.GetAsync("/api/v1/audit?take=1001");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    /// <summary>The sample server with RCON on a free port; <paramref name="serverPassword"/> is what the process gets.</summary>
    internal static ServerModel RconServer(string name, string serverPassword)
    {
        var model = ServerRequests.SampleGameServer(name, "--heartbeat-ms", "0", "--rcon-port", "{rconPort}");
        model.Environment = new() { ["RCON_PASSWORD"] = serverPassword };
        model.Rcon = new RconModel { Enabled = true, Port = FreePort.Next() };
        return model;
    }

    private static async Task<IReadOnlyList<LogLine>> LogsAsync(HttpClient api, int id) =>
        (await api.GetFromJsonAsync<List<LogLine>>($"/api/v1/servers/{id}/logs?lines=50", JsonDefaults.Options))!;

    private async Task<string> StoredRconPasswordAsync(int id)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var server = await admin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{id}", JsonDefaults.Options);
        var password = server!.Rcon.Password;
        Assert.False(string.IsNullOrEmpty(password));
        return password!;
    }

    private async Task<int> CreateAsync(ServerModel model)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
    }

    private async Task<int> StartRunningAsync(ServerModel model)
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Operator);
        var id = await CreateAsync(model);
        var start = await api.PostAsync($"/api/v1/servers/{id}/start", null);
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
        return id;
    }
}
