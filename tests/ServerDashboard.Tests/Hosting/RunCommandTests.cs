using System.Net;
using System.Text.Json;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Hosting;

/// <summary>README's run command (<c>dotnet run --project src/ServerDashboard</c>) starts the product, not a development server.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public void The_default_launch_profile_is_production_and_development_is_a_profile_to_pick()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src/ServerDashboard/Properties/launchSettings.json")));
        var profiles = settings.RootElement.GetProperty("profiles").EnumerateObject().ToList();

        // dotnet run takes the first profile unless --launch-profile names another.
        Assert.Equal("Production", EnvironmentOf(profiles[0].Value));
        Assert.Equal("Development", EnvironmentOf(Assert.Single(profiles, p => p.Name == "Development").Value));
    }

    [Fact]
    public async Task Dotnet_run_serves_in_production_and_an_unexpected_error_shows_no_developer_page()
    {
        using var data = new TempDirectory();
        TestStore.KeepOnSqlite(data.Path); // the test corrupts the SQLite file
        var key = await DashboardProcess.CreateApiKeyAsync(data.Path);
        await using var dashboard = await DashboardProcess.StartWithDotnetRunAsync(data.Path);
        using var api = dashboard.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/servers")).StatusCode);

        // A real unexpected failure: the store's file is overwritten under the running dashboard (the audit table has
        // not been read yet, so no connection holds its pages in cache).
        await using (var db = new FileStream(Path.Combine(data.Path, "dashboard.db"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            var garbage = new byte[db.Length];
            Array.Fill(garbage, (byte)'x');
            await db.WriteAsync(garbage);
        }

        File.Delete(Path.Combine(data.Path, "dashboard.db-wal"));
        var response = await api.GetAsync("/api/v1/audit");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Contains("Hosting environment: Production", dashboard.Output);
        Assert.DoesNotContain("Development", dashboard.Output);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("SqliteException", body); // the developer page and a stack trace would name it
        Assert.DoesNotContain("   at ", body);
    }

    private static string? EnvironmentOf(JsonElement profile) =>
        profile.GetProperty("environmentVariables").GetProperty("ASPNETCORE_ENVIRONMENT").GetString();
}
