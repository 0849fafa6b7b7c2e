using System.Net;
using System.Text;
using System.Text.Json;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Api;

public sealed class ServersApiTests : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory;

    public ServersApiTests(DashboardFactoryFixture fixture) => factory = fixture.Factory;

    [Fact]
    public async Task A_server_can_be_created_read_updated_and_deleted()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var request = ServerRequests.Valid("crud-roundtrip");

        var created = await admin.PostAsJsonAsync("/api/v1/servers", request, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var server = (await created.ReadJsonAsync<ServerModel>())!;
        Assert.NotNull(server.Id);
        Assert.Equal($"/api/v1/servers/{server.Id}", created.Headers.Location!.OriginalString);
        Assert.Equal(request.Command, server.Command);
        Assert.Equal("hello", server.Environment["GREETING"]);
        Assert.Equal(request.Port, server.Port);
        Assert.Equal(RestartPolicy.OnFailure, server.RestartPolicy);
        Assert.Equal(512, server.Limits.MaxMemoryMb);
        Assert.Equal(["logs/latest.log"], server.LogFiles);

        var fetched = (await admin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{server.Id}", JsonDefaults.Options))!;
        Assert.Equal("crud-roundtrip", fetched.Name);

        fetched.Name = "crud-renamed";
        fetched.Command = ["/bin/sh", "-c", "sleep 2000"];
        fetched.Stop.TimeoutSeconds = 30;
        var updated = await admin.PutAsJsonAsync($"/api/v1/servers/{server.Id}", fetched, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        var afterUpdate = (await admin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{server.Id}", JsonDefaults.Options))!;
        Assert.Equal("crud-renamed", afterUpdate.Name);
        Assert.Equal("sleep 2000", afterUpdate.Command[2]);
        Assert.Equal(30, afterUpdate.Stop.TimeoutSeconds);
        Assert.Contains(afterUpdate.Name, (await admin.GetStringAsync("/api/v1/servers")));

        var deleted = await admin.DeleteAsync($"/api/v1/servers/{server.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/servers/{server.Id}")).StatusCode);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task An_unknown_id_is_a_404_problem(string method)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var request = new HttpRequestMessage(new HttpMethod(method), "/api/v1/servers/987654");
        if (method == "PUT")
        {
            request.Content = JsonContent.Create(ServerRequests.Valid("ghost"), options: JsonDefaults.Options);
        }

        var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("987654", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_program_that_does_not_exist_is_a_validation_problem_on_command()
    {
        var request = ServerRequests.Valid("bad-argv0");
        request.Command = ["/no/such/program", "--flag"];

        var errors = await PostExpectingValidationProblemAsync(request);

        Assert.Contains("/no/such/program", Assert.Single(errors["command"]));
    }

    [Fact]
    public async Task A_program_not_on_path_is_a_validation_problem_on_command()
    {
        var request = ServerRequests.Valid("bad-path");
        request.Command = ["definitely-not-a-program-xyz"];

        var errors = await PostExpectingValidationProblemAsync(request);

        Assert.Contains("not found on PATH", Assert.Single(errors["command"]));
    }

    [Fact]
    public async Task A_program_found_on_path_is_accepted()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var request = ServerRequests.Valid("on-path");
        request.Command = ["sleep", "1000"];

        var response = await admin.PostAsJsonAsync("/api/v1/servers", request, JsonDefaults.Options);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_duplicate_name_is_a_validation_problem_on_name_whatever_its_case()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        (await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid("Duplicate"), JsonDefaults.Options)).EnsureSuccessStatusCode();

        var errors = await PostExpectingValidationProblemAsync(ServerRequests.Valid("duplicate"));

        Assert.Contains("already exists", Assert.Single(errors["name"]));
    }

    [Fact]
    public async Task A_port_used_by_another_definition_is_a_validation_problem_on_port()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var first = ServerRequests.Valid("port-owner", rcon: true);
        (await admin.PostAsJsonAsync("/api/v1/servers", first, JsonDefaults.Options)).EnsureSuccessStatusCode();
        var clash = ServerRequests.Valid("port-clash", rcon: true);
        clash.Port = first.Port;
        clash.Rcon.Port = first.Rcon.Port;

        var errors = await PostExpectingValidationProblemAsync(clash);

        Assert.Contains("port-owner", Assert.Single(errors["port"]));
        Assert.Contains("port-owner", Assert.Single(errors["rcon.port"]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(70000)]
    [InlineData(-1)]
    [InlineData(-5)]
    public async Task A_port_out_of_range_is_a_validation_problem_on_port(int port)
    {
        var request = ServerRequests.Valid($"range-{port}");
        request.Port = port;

        var errors = await PostExpectingValidationProblemAsync(request);

        Assert.Contains("between 1 and 65535", Assert.Single(errors["port"]));
    }

    [Theory]
    [InlineData(70000)]
    [InlineData(-5)]
    public async Task An_rcon_port_out_of_range_is_a_validation_problem_on_rcon_port_and_nothing_is_saved(int port)
    {
        var name = $"rcon-range-{port}";
        var request = ServerRequests.Valid(name);
        request.Rcon = new RconModel { Enabled = true, Port = port, Password = "secret-password-1" };

        var errors = await PostExpectingValidationProblemAsync(request);

        Assert.Contains("between 1 and 65535", Assert.Single(errors["rcon.port"]));
        await AssertNotSavedAsync(name);
    }

    [Theory]
    [InlineData("port", "\"abc\"", "port")]
    [InlineData("port", "99999999999", "port")]
    [InlineData("port", "12.5", "port")]
    [InlineData("rcon", "{\"enabled\": true, \"port\": \"abc\"}", "rcon.port")]
    public async Task A_value_of_the_wrong_type_is_a_validation_problem_on_that_field_not_a_500(string property, string json, string field)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var name = $"wrong-type-{Guid.NewGuid():N}";
        var body = JsonSerializer.SerializeToNode(ServerRequests.Valid(name), JsonDefaults.Options)!;
        body[property] = System.Text.Json.Nodes.JsonNode.Parse(json);

        var response = await admin.PostAsync("/api/v1/servers", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
        Assert.Equal($"'{field}' must be a whole number.", Assert.Single(errors[field]));
        await AssertNotSavedAsync(name);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    public async Task A_browser_throttle_out_of_range_is_a_validation_problem(int linesPerSecond)
    {
        var request = ServerRequests.Valid($"throttle-{linesPerSecond}");
        request.Limits = request.Limits with { BrowserLinesPerSecond = linesPerSecond };

        var errors = await PostExpectingValidationProblemAsync(request);

        Assert.Contains("between 1 and 100000", Assert.Single(errors["limits.browserLinesPerSecond"]));
    }

    [Fact]
    public async Task A_browser_throttle_is_stored_and_returned_and_can_be_switched_off()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var request = ServerRequests.Valid("throttle-roundtrip");
        request.Limits = request.Limits with { BrowserLinesPerSecond = 500 };

        var created = (await (await admin.PostAsJsonAsync("/api/v1/servers", request, JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!;
        Assert.Equal(500, created.Limits.BrowserLinesPerSecond);
        Assert.Contains("\"browserLinesPerSecond\":500", await admin.GetStringAsync($"/api/v1/servers/{created.Id}"));

        created.Limits = created.Limits with { BrowserLinesPerSecond = null };
        (await admin.PutAsJsonAsync($"/api/v1/servers/{created.Id}", created, JsonDefaults.Options)).EnsureSuccessStatusCode();
        var fetched = (await admin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{created.Id}", JsonDefaults.Options))!;
        Assert.Null(fetched.Limits.BrowserLinesPerSecond);
    }

    [Fact]
    public async Task Several_invalid_fields_are_reported_together()
    {
        var request = ServerRequests.Valid("");
        request.Command = [];
        request.WorkingDirectory = "/no/such/dir";
        request.Rcon = new RconModel { Enabled = true, Port = null };
        request.Stop.TimeoutSeconds = 0;
        request.ReadyPattern = "([unclosed";
        request.Environment["1BAD"] = "x";
        request.LogFiles = ["../escape.log"];

        var errors = await PostExpectingValidationProblemAsync(request);

        Assert.Equal(
            ["command", "environment", "logFiles", "name", "rcon.port", "readyPattern", "stop.timeoutSeconds", "workingDirectory"],
            errors.Keys.Order().ToArray());
    }

    [Fact]
    public async Task Enums_are_strings_out_and_case_insensitive_in()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var json = JsonSerializer.Serialize(ServerRequests.Valid("enum-case"), JsonDefaults.Options)
            .Replace("\"OnFailure\"", "\"unlessstopped\"").Replace("\"SigTerm\"", "\"sigint\"");

        var response = await admin.PostAsync("/api/v1/servers", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"restartPolicy\":\"UnlessStopped\"", body);
        Assert.Contains("\"mode\":\"SigInt\"", body);
    }

    [Fact]
    public async Task A_null_rcon_password_with_rcon_enabled_is_generated()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);

        var response = await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid("rcon-generated", rcon: true), JsonDefaults.Options);

        var server = (await response.ReadJsonAsync<ServerModel>())!;
        Assert.Matches("^[A-Za-z0-9_-]{20,}$", server.Rcon.Password);
    }

    [Fact]
    public async Task Viewers_and_operators_never_receive_rcon_passwords_or_secret_environment_values()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var request = ServerRequests.Valid("secrets", rcon: true);
        request.Rcon.Password = "a-known-password-123";
        request.Environment["API_TOKEN"] = "top-secret-token";
        request.SecretEnvironmentKeys = ["API_TOKEN"];
        var created = (await (await admin.PostAsJsonAsync("/api/v1/servers", request, JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!;

        foreach (var role in new[] { Roles.Viewer, Roles.Operator })
        {
            var client = await factory.CreateClientWithRoleAsync(role);
            var one = await client.GetStringAsync($"/api/v1/servers/{created.Id}");
            var all = await client.GetStringAsync("/api/v1/servers");
            foreach (var body in new[] { one, all })
            {
                Assert.DoesNotContain("a-known-password-123", body);
                Assert.DoesNotContain("top-secret-token", body);
            }

            var model = JsonSerializer.Deserialize<ServerModel>(one, JsonDefaults.Options)!;
            Assert.Null(model.Rcon.Password);
            Assert.Null(model.Environment["API_TOKEN"]);
            Assert.Equal("hello", model.Environment["GREETING"]);
        }

        var asAdmin = (await admin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{created.Id}", JsonDefaults.Options))!;
        Assert.Equal("a-known-password-123", asAdmin.Rcon.Password);
        Assert.Equal("top-secret-token", asAdmin.Environment["API_TOKEN"]);
    }

    [Fact]
    public async Task Sending_back_a_masked_resource_keeps_the_stored_secrets()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var request = ServerRequests.Valid("keep-secrets", rcon: true);
        request.Rcon.Password = "kept-password-456";
        request.Environment["API_TOKEN"] = "kept-token";
        request.SecretEnvironmentKeys = ["API_TOKEN"];
        var created = (await (await admin.PostAsJsonAsync("/api/v1/servers", request, JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!;

        created.Rcon.Password = null;
        created.Environment["API_TOKEN"] = null;
        created.Notes = "edited";
        (await admin.PutAsJsonAsync($"/api/v1/servers/{created.Id}", created, JsonDefaults.Options)).EnsureSuccessStatusCode();

        var after = (await admin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{created.Id}", JsonDefaults.Options))!;
        Assert.Equal("kept-password-456", after.Rcon.Password);
        Assert.Equal("kept-token", after.Environment["API_TOKEN"]);
        Assert.Equal("edited", after.Notes);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_not_a_crash()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);

        var response = await admin.PostAsync("/api/v1/servers", new StringContent("{\"name\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
        Assert.StartsWith("The request body is not valid JSON", Assert.Single(errors["body"]));
    }

    [Fact]
    public async Task Templates_are_listed_with_the_sample_game_server_first()
    {
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);

        var templates = await viewer.GetFromJsonAsync<JsonElement>("/api/v1/server-templates", JsonDefaults.Options);

        var ids = templates.EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(["sample", "generic", "minecraft-java"], ids);
        var sample = templates[0].GetProperty("model");
        Assert.EndsWith("SampleGameServer", sample.GetProperty("command")[0].GetString());
        Assert.True(sample.GetProperty("rcon").GetProperty("enabled").GetBoolean());
    }

    private async Task AssertNotSavedAsync(string name)
    {
        var viewer = await factory.CreateClientWithRoleAsync(Roles.Viewer);
        var all = await viewer.GetFromJsonAsync<List<ServerModel>>("/api/v1/servers", JsonDefaults.Options);
        Assert.DoesNotContain(all!, s => s.Name == name);
    }

    private async Task<Dictionary<string, string[]>> PostExpectingValidationProblemAsync(ServerModel request)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var response = await admin.PostAsJsonAsync("/api/v1/servers", request, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        return problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }
}
