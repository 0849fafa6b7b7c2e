using System.Net;
using System.Text.Json;
using ServerDashboard.Auth;
using ServerDashboard.Notifications;
using ServerDashboard.Tests.Infrastructure;
using static ServerDashboard.Tests.Notifications.WebhookHarness;

namespace ServerDashboard.Tests.Notifications;

/// <summary>The webhooks API: Admins only, clear 400s, the secret never shown.</summary>
public sealed class WebhooksApiTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory = fixture.Factory;

    [Theory]
    [InlineData(Roles.Viewer)]
    [InlineData(Roles.Operator)]
    public async Task Only_admins_see_or_register_webhooks(string role)
    {
        var client = await factory.CreateClientWithRoleAsync(role);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateAnonymousClient().GetAsync("/api/v1/webhooks")).StatusCode);
    }

    [Theory]
    [InlineData("""{ "url": "" }""", "url", "url is required")]
    [InlineData("""{ "url": "/relative/path" }""", "url", "absolute http:// or https:// URL")]
    [InlineData("""{ "url": "ftp://127.0.0.1/hook" }""", "url", "http or https, not ftp")]
    [InlineData("""{ "url": "file:///etc/passwd" }""", "url", "absolute http:// or https:// URL")]
    [InlineData("""{ "url": "http://user:pw@127.0.0.1/hook" }""", "url", "must not contain a user name or password")]
    [InlineData("""{ "url": "http://127.0.0.1/hook", "events": ["server.state", "server.exploded"] }""", "events", "unknown event 'server.exploded'")]
    [InlineData("""{ "url": "http://127.0.0.1/hook", "format": "slack" }""", "format", "json or discord")]
    public async Task Bad_input_gets_a_400_that_names_the_field(string body, string field, string message)
    {
        var admin = await AdminAsync(factory);
        var response = await admin.PostAsync("/api/v1/webhooks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task Malformed_json_and_a_long_secret_are_400s_too()
    {
        var admin = await AdminAsync(factory);
        var malformed = await admin.PostAsync("/api/v1/webhooks", new StringContent("{ \"url\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var longSecret = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1/x", secret = new string('s', 257) });
        Assert.Equal(HttpStatusCode.BadRequest, longSecret.StatusCode);
        Assert.Contains("secret must be at most 256", await longSecret.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_secret_is_never_returned_and_an_update_without_one_keeps_it()
    {
        var admin = await AdminAsync(factory);
        const string secret = "never-shown-4711";
        var created = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://10.1.2.3:8080/bot", events = new[] { "server.crash", "server.crash" }, secret, format = "discord" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string createdText = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, createdText);
        var hook = JsonSerializer.Deserialize<WebhookView>(createdText, JsonDefaults.Options)!;
        Assert.True(hook.HasSecret);
        Assert.Equal(["server.crash"], hook.Events); // duplicates dropped; a private address is fine
        Assert.Equal("discord", hook.Format);
        Assert.Equal($"/api/v1/webhooks/{hook.Id}", created.Headers.Location!.OriginalString);

        string list = await admin.GetStringAsync("/api/v1/webhooks");
        Assert.Contains($"\"id\":{hook.Id}", list);
        Assert.DoesNotContain(secret, list);

        var kept = await admin.PutAsJsonAsync($"/api/v1/webhooks/{hook.Id}", new { url = "http://localhost:9000/bot", events = Array.Empty<string>() });
        var keptView = (await kept.ReadJsonAsync<WebhookView>())!;
        Assert.True(keptView.HasSecret);
        Assert.Empty(keptView.Events); // all events
        Assert.Equal("json", keptView.Format);
        var cleared = (await (await admin.PutAsJsonAsync($"/api/v1/webhooks/{hook.Id}", new { url = "http://localhost:9000/bot", secret = "" })).ReadJsonAsync<WebhookView>())!;
        Assert.False(cleared.HasSecret);

        await using (var db = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                         .GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ServerDashboard.Data.DashboardDbContext>>(factory.Services).CreateDbContextAsync())
        {
            // At rest the secret is protected, like RCON passwords.
            var other = await RegisterAsync(admin, "http://127.0.0.1:1/x", secret: secret);
            var stored = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Webhooks, w => w.Id == other.Id);
            Assert.StartsWith("dp1:", stored.ProtectedSecret);
            Assert.DoesNotContain(secret, stored.ProtectedSecret!);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/webhooks/{hook.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/v1/webhooks/{hook.Id}")).StatusCode);
    }

    [Fact]
    public async Task Unknown_webhooks_are_404s_and_take_is_checked()
    {
        var admin = await AdminAsync(factory);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/v1/webhooks/999999", new { url = "http://127.0.0.1/x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/webhooks/999999/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/webhooks/999999/test", null)).StatusCode);
        var hook = await RegisterAsync(admin, "http://127.0.0.1:1/x");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/v1/webhooks/{hook.Id}/deliveries?take=0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/v1/webhooks/{hook.Id}/deliveries?take=10")).StatusCode);
    }

    [Fact]
    public async Task A_test_to_a_receiver_that_is_not_there_is_reported_as_failed_not_as_an_error()
    {
        var admin = await AdminAsync(factory);
        var hook = await RegisterAsync(admin, $"http://127.0.0.1:{ServerDashboard.Testing.FreePort.Next()}/nobody");
        var response = await admin.PostAsync($"/api/v1/webhooks/{hook.Id}/test", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = (await response.ReadJsonAsync<WebhookDeliveryView>())!;
        Assert.Equal(ServerDashboard.Data.WebhookDeliveryStatus.Failed, sent.Status);
        Assert.Null(sent.LastStatusCode);
        Assert.All(sent.StatusCodes, c => Assert.Equal(0, c));
        Assert.False(string.IsNullOrEmpty(sent.Error));
    }
}
