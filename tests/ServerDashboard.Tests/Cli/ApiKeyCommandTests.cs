using Microsoft.Extensions.DependencyInjection;
using System.Net;
using ServerDashboard.Auth;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Cli;

public sealed class ApiKeyCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Apikey_create_prints_a_key_on_the_last_line_that_works_against_the_api()
    {
        using var data = new TempDirectory();

        var result = await ProcessRunner.RunAsync("ServerDashboard", ["apikey", "create", "--name", "ci-script", "--role", "viewer", "--data-dir", data.Path], Timeout);

        Assert.True(result.ExitCode == 0, result.StandardError);
        var key = result.StandardOutput.TrimEnd().Split('\n')[^1];
        Assert.Matches("^sdk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$", key);
        Assert.Contains("X-Api-Key", result.StandardError);

        using var factory = new DashboardFactory(data.Path);
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/servers")).StatusCode);
        var create = await client.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid("from-viewer-key"), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode); // the key carries the Viewer role

        var keys = await factory.Services.GetRequiredService<ApiKeyService>().ListAsync(CancellationToken.None);
        var stored = Assert.Single(keys);
        Assert.Equal("ci-script", stored.Name);
        Assert.Equal(Roles.Viewer, stored.Role);
        Assert.DoesNotContain(key, stored.Hash); // only the hash is stored
        Assert.NotNull(stored.LastUsedAt);
    }

    [Fact]
    public async Task Apikey_create_with_an_unknown_role_fails_with_a_clear_error()
    {
        using var data = new TempDirectory();

        var result = await ProcessRunner.RunAsync("ServerDashboard", ["apikey", "create", "--name", "x", "--role", "Superuser", "--data-dir", data.Path], Timeout);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Superuser", result.StandardError);
        Assert.Contains("Admin", result.StandardError);
        Assert.False(File.Exists(Path.Combine(data.Path, "dashboard.db")), "nothing is written for a rejected command");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("apikey", "--help")]
    [InlineData("apikey", "create", "--help")]
    public async Task Help_is_available_everywhere(params string[] args)
    {
        var result = await ProcessRunner.RunAsync("ServerDashboard", args, Timeout);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.StandardOutput);
        Assert.Contains("--data-dir", result.StandardOutput);
    }
}
