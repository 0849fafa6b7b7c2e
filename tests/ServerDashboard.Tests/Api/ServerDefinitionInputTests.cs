using ServerDashboard.Testing;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Api;

/// <summary>Hostile or sloppy JSON for server definitions: a clear 4xx or the documented default, never a 500.</summary>
public sealed class ServerDefinitionInputTests : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory;

    public ServerDefinitionInputTests(DashboardFactoryFixture fixture) => factory = fixture.Factory;

    [Theory]
    [InlineData("name")]
    [InlineData("readyPattern")]
    [InlineData("notes")]
    public async Task A_NUL_character_in_a_string_is_a_400_naming_the_field(string field)
    {
        // PostgreSQL cannot store a NUL in text: without the check this was a 500 on that store (found by the API fuzz test).
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var body = Valid($"nul-{field}");
        body[field] = "a\u0000b";

        var created = await PostAsync(admin, body);

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Contains("NUL", await created.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("workingDirectory")]
    [InlineData("rcon")]
    [InlineData("stop")]
    [InlineData("notes")]
    [InlineData("limits")]
    [InlineData("environment")]
    [InlineData("logFiles")]
    [InlineData("secretEnvironmentKeys")]
    public async Task A_null_optional_field_takes_its_default_on_create_and_update(string field)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var body = Valid($"null-{field}");
        body[field] = null;

        var created = await PostAsync(admin, body);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var server = (await created.ReadJsonAsync<ServerModel>())!;
        var update = Valid($"null-{field}");
        update[field] = null;
        var updated = await admin.PutAsync($"/api/v1/servers/{server.Id}", Json(update));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
    }

    [Theory]
    [InlineData("secretEnvironmentKeys", "[null]", "secretEnvironmentKeys")]
    [InlineData("logFiles", "[null]", "logFiles")]
    [InlineData("logFiles", "[\"\"]", "logFiles")]
    [InlineData("logFiles", "[\"a\\u0000b\"]", "logFiles")]
    [InlineData("environment", "{\"GREETING\": null}", "environment")]
    [InlineData("restartPolicy", "99", "restartPolicy")]
    [InlineData("command", "[null]", "command")]
    [InlineData("name", "null", "name")]
    public async Task A_bad_value_is_a_validation_problem_keyed_by_its_field(string field, string json, string errorKey)
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var body = Valid($"bad-{field}-{Guid.NewGuid():N}");
        body[field] = JsonNode.Parse(json);

        var response = await PostAsync(admin, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(errorKey, out _), problem.RootElement.ToString());
    }

    [Fact]
    public async Task A_stop_mode_outside_the_set_is_a_validation_problem()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var body = Valid($"bad-stop-mode-{Guid.NewGuid():N}");
        body["stop"]!["mode"] = 5;

        var response = await PostAsync(admin, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("stop.mode", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Concurrent_creates_with_one_port_store_exactly_one_definition_with_it()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var port = FreePort.Next();
        var tag = Guid.NewGuid().ToString("N")[..8];

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
        {
            var body = Valid($"race-{tag}-{i}");
            body["port"] = port;
            body["rcon"] = new JsonObject { ["enabled"] = false };
            return PostAsync(admin, body);
        }));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        var all = (await admin.GetFromJsonAsync<List<ServerModel>>("/api/v1/servers", JsonDefaults.Options))!;
        Assert.Single(all, s => s.Port == port);
    }

    [Fact]
    public async Task Concurrent_creates_with_one_name_store_one_and_log_no_error()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var name = $"same-name-{Guid.NewGuid():N}";

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PostAsync(admin, Valid(name, uniquePort: true))));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses, r => Assert.True((int)r.StatusCode < 500));
        Assert.DoesNotContain(DashboardLog(), l => l.Contains("exception occurred in the database while saving", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_unexpected_exception_is_a_problem_details_500_with_a_trace_id_for_the_API_and_a_page_for_browsers()
    {
        using var own = new DashboardFactory();
        using var throwing = own.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddTransient<IStartupFilter, ThrowingFallback>()));
        var key = await throwing.Services.GetRequiredService<ServerDashboard.Auth.ApiKeyService>()
            .CreateAsync("throws", Roles.Admin, "tests", CancellationToken.None);
        var client = throwing.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key.PlainTextKey);

        var api = await client.GetAsync("/api/v1/throws");
        var page = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/throws") { Headers = { { "Accept", "text/html" } } });

        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType!.MediaType);
        using var problem = JsonDocument.Parse(await api.Content.ReadAsStringAsync());
        Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("traceId").GetString()));
        Assert.DoesNotContain("boom", problem.RootElement.ToString()); // the exception stays in the log
        Assert.Equal(HttpStatusCode.InternalServerError, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Something went wrong", await page.Content.ReadAsStringAsync());
    }

    /// <summary>Requests no endpoint matched fall through to this middleware, inside the exception handler's reach.</summary>
    private sealed class ThrowingFallback : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((HttpContext context, Func<Task> _) =>
                context.Request.Path.Value!.EndsWith("/throws", StringComparison.Ordinal) ? throw new InvalidOperationException("boom") : Task.CompletedTask);
        };
    }

    private IEnumerable<string> DashboardLog()
    {
        var logs = Path.Combine(factory.DataDirectory, "logs");
        foreach (var file in Directory.Exists(logs) ? Directory.GetFiles(logs) : [])
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                yield return line;
            }
        }
    }

    private static JsonObject Valid(string name, bool uniquePort = true)
    {
        var model = ServerRequests.Valid(name);
        if (!uniquePort)
        {
            model.Port = null;
        }

        return JsonSerializer.SerializeToNode(model, JsonDefaults.Options)!.AsObject();
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, JsonObject body) => client.PostAsync("/api/v1/servers", Json(body));

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
