using ServerDashboard.Testing;
using System.Net;
using System.Text.Json;
using ServerDashboard.Auth;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Ports;

/// <summary><c>/api/v1/ports</c>, <c>/api/v1/managed-ports</c> and the health details, against the real app.</summary>
public sealed class PortsApiTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task A_port_lookup_names_the_owner_with_the_documented_fields()
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        using var listener = await PythonListener.StartAsync(ServerDashboard.Processes.PortProtocol.Udp);

        var json = await api.GetFromJsonAsync<JsonElement>($"/api/v1/ports/{listener.Port}?protocol=udp");

        Assert.True(json.GetProperty("inUse").GetBoolean());
        var owner = Assert.Single(json.GetProperty("owners").EnumerateArray());
        Assert.Equal(listener.Pid, owner.GetProperty("pid").GetInt32());
        Assert.StartsWith("python3", owner.GetProperty("processName").GetString());
        foreach (var field in new[] { "cmdline", "user", "startTime", "serverId", "jobName" })
        {
            Assert.True(owner.TryGetProperty(field, out _), field);
        }

        Assert.False(owner.TryGetProperty("identity", out _));
        // A command line may hold a secret (an expanded {rconPassword}): only Admins get it.
        Assert.Equal(JsonValueKind.Null, owner.GetProperty("cmdline").ValueKind);
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var seenByAdmin = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/ports/{listener.Port}?protocol=udp")).GetProperty("owners")[0];
        Assert.StartsWith(PythonListener.Python + " -c", seenByAdmin.GetProperty("cmdline").GetString());
        Assert.False((await api.GetFromJsonAsync<JsonElement>($"/api/v1/ports/{listener.Port}?protocol=tcp")).GetProperty("inUse").GetBoolean());
    }

    [Theory]
    [InlineData("/api/v1/ports/0")]
    [InlineData("/api/v1/ports/70000")]
    [InlineData("/api/v1/ports/80?protocol=sctp")]
    public async Task Bad_lookups_are_a_400_with_a_reason(string url)
    {
        var api = await factory.CreateClientWithRoleAsync(Roles.Viewer);

        var response = await api.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("must be", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Free_without_force_is_a_409_with_the_owner_and_freeing_is_for_admins()
    {
        using var listener = await PythonListener.StartAsync();
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var operatorClient = await factory.CreateClientWithRoleAsync(Roles.Operator);

        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync($"/api/v1/ports/{listener.Port}/free", new { force = true })).StatusCode);
        var preview = await admin.PostAsJsonAsync($"/api/v1/ports/{listener.Port}/free", new { maxRetries = 3 });

        Assert.Equal(HttpStatusCode.Conflict, preview.StatusCode);
        var body = await preview.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("NeedsConfirmation", body.GetProperty("outcome").GetString());
        Assert.Equal(listener.Pid, body.GetProperty("owners")[0].GetProperty("pid").GetInt32());
        Assert.False(listener.HasExited);

        var bad = await admin.PostAsJsonAsync($"/api/v1/ports/{listener.Port}/free", new { force = true, maxRetries = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var freed = await admin.PostAsJsonAsync($"/api/v1/ports/{listener.Port}/free", new { force = true, maxRetries = 3, graceSeconds = 5 });
        Assert.Equal(HttpStatusCode.OK, freed.StatusCode);
        Assert.Equal("Freed", (await freed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        await Processes.Poll.UntilAsync(() => listener.HasExited, "the listener to be gone");
    }

    [Fact]
    public async Task Managed_ports_are_listed_with_the_servers_ports_and_extra_ports_are_admin_crud()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        var server = ServerRequests.Valid("managed-ports-" + Guid.NewGuid().ToString("N")[..6], rcon: true);
        server.Rcon.Password = "secret-pass-12345";
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/servers", server, JsonDefaults.Options)).StatusCode);
        int extraPort = FreePort.Next();

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/v1/managed-ports", new { name = "voice", port = extraPort, protocol = "udp" })).StatusCode);
        var invalid = await admin.PostAsJsonAsync("/api/v1/managed-ports", new { name = "", port = 0, protocol = "sctp" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _) && errors.TryGetProperty("port", out _) && errors.TryGetProperty("protocol", out _));

        var created = await admin.PostAsJsonAsync("/api/v1/managed-ports", new { name = "voice", port = extraPort, protocol = "udp", note = "TeamSpeak" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        int id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/v1/managed-ports", new { name = "again", port = extraPort, protocol = "udp" })).StatusCode);

        var statuses = await viewer.GetFromJsonAsync<JsonElement>("/api/v1/ports");
        var rows = statuses.EnumerateArray().ToList();
        Assert.Contains(rows, r => r.GetProperty("port").GetInt32() == server.Port && r.GetProperty("kind").GetString() == "game" && !r.GetProperty("inUse").GetBoolean());
        Assert.Contains(rows, r => r.GetProperty("port").GetInt32() == server.Rcon.Port && r.GetProperty("kind").GetString() == "rcon");
        Assert.Contains(rows, r => r.GetProperty("port").GetInt32() == extraPort && r.GetProperty("kind").GetString() == "extra" && r.GetProperty("note").GetString() == "TeamSpeak");
        Assert.Contains((await viewer.GetFromJsonAsync<JsonElement>("/api/v1/managed-ports")).EnumerateArray(), r => r.GetProperty("id").ValueKind == JsonValueKind.Number && r.GetProperty("id").GetInt32() == id);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/managed-ports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/v1/managed-ports/{id}")).StatusCode);
    }

    [Fact]
    public async Task Health_details_are_for_authenticated_callers_only()
    {
        var anonymous = await factory.CreateAnonymousClient().GetFromJsonAsync<JsonElement>("/api/v1/health?details=true");
        Assert.Equal("Healthy", anonymous.GetProperty("status").GetString());
        Assert.False(anonymous.TryGetProperty("details", out _));

        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        var plain = await viewer.GetFromJsonAsync<JsonElement>("/api/v1/health");
        Assert.False(plain.TryGetProperty("details", out _));
        var details = (await viewer.GetFromJsonAsync<JsonElement>("/api/v1/health?details=true")).GetProperty("details");

        Assert.True(details.GetProperty("isRunning").GetBoolean());
        Assert.Equal(Environment.ProcessId, details.GetProperty("pid").GetInt32());
        Assert.Equal(factory.DataDirectory, details.GetProperty("dataDirectory").GetString());
        Assert.True(details.TryGetProperty("runningSince", out _));
        Assert.Equal(JsonValueKind.Array, details.GetProperty("urls").ValueKind);
        Assert.Equal(JsonValueKind.Array, details.GetProperty("managedPorts").ValueKind);
    }

    [Fact]
    public async Task A_port_held_by_a_background_job_names_the_job()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var port = FreePort.Next();
        var name = $"listener-{Guid.NewGuid():N}"[..20];
        var started = await admin.PostAsJsonAsync("/api/v1/jobs", new { name, command = new[] { ProcessRunner.PathOf("SampleGameServer"), "--port", port.ToString(), "--heartbeat-ms", "0", "--ready-delay-ms", "0" } });
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        try
        {
            JsonElement report;
            try
            {
                report = await Eventually.ReturnsAsync(() => admin.GetFromJsonAsync<JsonElement>($"/api/v1/ports/{port}"),
                    r => r.GetProperty("inUse").GetBoolean() && r.GetProperty("owners").GetArrayLength() > 0, TimeSpan.FromSeconds(30), "the job to listen");
            }
            catch (TimeoutException timeout)
            {
                // Say what the job did: a failure here is otherwise only "the port never opened".
                var job = await admin.GetStringAsync($"/api/v1/jobs/{name}?logLines=50");
                throw new TimeoutException($"{timeout.Message}\njob: {job}", timeout);
            }

            var owner = report.GetProperty("owners")[0];
            Assert.Equal(name, owner.GetProperty("jobName").GetString());
            Assert.Equal(JsonValueKind.Null, owner.GetProperty("serverId").ValueKind);
        }
        finally
        {
            await admin.PostAsJsonAsync($"/api/v1/jobs/{name}/cancel", new { timeoutSeconds = 5 });
        }
    }
}
