using System.Text.Json;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Hosting;

/// <summary>The dashboard's own log (Serilog): request lines, the JSON switch, and what never reaches the file.</summary>
public sealed class DashboardLoggingTests
{
    [Fact]
    public async Task Api_requests_are_logged_with_status_and_without_their_query_string()
    {
        using var data = new TempDirectory();
        using (var factory = new DashboardFactory(data.Path))
        {
            var client = factory.CreateAnonymousClient();
            (await client.GetAsync("/api/v1/health?access_token=never-logged-token")).EnsureSuccessStatusCode();
        }

        var log = ReadLogs(data.Path);
        Assert.Contains("HTTP GET /api/v1/health responded 200 in ", log);
        Assert.DoesNotContain("never-logged-token", log);
    }

    [Fact]
    public async Task Json_format_writes_one_compact_json_event_per_line_and_keeps_the_first_run_password_out()
    {
        using var data = new TempDirectory();
        string banner;
        using (var factory = new DashboardFactory(data.Path, initialAdminPassword: null, settings: new Dictionary<string, string> { ["Dashboard:Logging:Format"] = "Json" }))
        {
            var client = factory.CreateAnonymousClient();
            (await client.GetAsync("/api/v1/health")).EnsureSuccessStatusCode();
            banner = factory.Console.ToString();
        }

        var password = banner.Split('\n').Select(l => l.Trim()).SkipWhile(l => !l.StartsWith("Password", StringComparison.Ordinal)).Skip(1).First(l => l.Length > 0);
        Assert.DoesNotContain(password, ReadLogs(data.Path));
        var events = ReadLogs(data.Path).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.True(e.TryGetProperty("@t", out _) && e.TryGetProperty("@mt", out _)));
        var request = Assert.Single(events, e => e.TryGetProperty("RequestPath", out var path) && path.GetString() == "/api/v1/health");
        Assert.Equal(200, request.GetProperty("StatusCode").GetInt32());
        Assert.Equal("GET", request.GetProperty("RequestMethod").GetString());
    }

    private static string ReadLogs(string dataDirectory) =>
        string.Join("\n", Directory.GetFiles(Path.Combine(dataDirectory, "logs")).Select(File.ReadAllText));
}
