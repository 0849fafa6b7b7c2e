using System.Net;
using System.Text.Json;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Servers.Crashes;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.History;

/// <summary>Crash records through the real recorder and database (retention 3, last 5 lines in this fixture).</summary>
public sealed class CrashRecorderTests(HistoryFixture fixture) : IClassFixture<HistoryFixture>
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-12-01T12:00:00Z");

    private ICrashRecorder Recorder => fixture.Service<ICrashRecorder>();

    private string ConsoleLog(int id) => Path.Combine(fixture.Factory.DataDirectory, "servers", $"{id}", "console.log");

    private async Task WriteConsoleLogAsync(int id, IEnumerable<string> lines)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConsoleLog(id))!);
        await File.WriteAllLinesAsync(ConsoleLog(id), lines);
    }

    [Fact]
    public void The_recorder_is_the_stored_one() => Assert.IsType<CrashRecorder>(Recorder);

    [Fact]
    public async Task A_crash_is_stored_with_the_last_console_lines()
    {
        var id = await fixture.CreateServerAsync("crash-lines");
        await WriteConsoleLogAsync(id, Enumerable.Range(1, 80).Select(i => $"line {i}"));

        await Recorder.RecordAsync(new CrashReport(id, At, 3, null, 12.5, CrashClassification.Crash, "exited with code 3"), CancellationToken.None);

        var crash = Assert.Single((await fixture.Service<CrashHistory>().PageAsync(id, 1, 10, CancellationToken.None)).Items);
        Assert.Equal(At, crash.At);
        Assert.Equal(3, crash.ExitCode);
        Assert.Null(crash.Signal);
        Assert.Equal(12.5, crash.UptimeSeconds);
        Assert.Equal(CrashClassification.Crash, crash.Classification);
        Assert.Equal("exited with code 3", crash.Description);
        Assert.Equal(["line 76", "line 77", "line 78", "line 79", "line 80"], crash.LastLines);
    }

    [Fact]
    public async Task Only_the_newest_records_per_server_are_kept()
    {
        var id = await fixture.CreateServerAsync("crash-retention");
        var other = await fixture.CreateServerAsync("crash-retention-other");
        await Recorder.RecordAsync(new CrashReport(other, At, 1, null, 1, CrashClassification.Crash, "other"), CancellationToken.None);

        for (var i = 1; i <= 5; i++)
        {
            await Recorder.RecordAsync(new CrashReport(id, At.AddMinutes(i), i, null, i, CrashClassification.Crash, $"crash {i}"), CancellationToken.None);
        }

        var page = await fixture.Service<CrashHistory>().PageAsync(id, 1, 10, CancellationToken.None);
        Assert.Equal(HistoryFixture.Retention, page.Total);
        Assert.Equal(["crash 5", "crash 4", "crash 3"], page.Items.Select(c => c.Description));
        Assert.Equal(1, (await fixture.Service<CrashHistory>().PageAsync(other, 1, 10, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task A_console_log_that_is_a_symlink_is_not_followed()
    {
        var id = await fixture.CreateServerAsync("crash-symlink");
        using var outside = new TempDirectory();
        var secret = Path.Combine(outside.Path, "secret.txt");
        await File.WriteAllTextAsync(secret, "TOP-SECRET-CONTENT\n");
        Directory.CreateDirectory(Path.GetDirectoryName(ConsoleLog(id))!);
        File.CreateSymbolicLink(ConsoleLog(id), secret);

        await Recorder.RecordAsync(new CrashReport(id, At, null, 9, 3, CrashClassification.Signal, "killed by SIGKILL"), CancellationToken.None);

        var crash = await fixture.Service<CrashHistory>().LatestAsync(id, CancellationToken.None);
        Assert.NotNull(crash);
        Assert.DoesNotContain(crash.LastLines, l => l.Contains("TOP-SECRET"));
    }

    [Fact]
    public async Task Storage_trouble_is_logged_not_thrown()
    {
        // No such server: the foreign key refuses the row.
        await Recorder.RecordAsync(new CrashReport(987_654, At, 1, null, null, CrashClassification.Crash, "nowhere"), CancellationToken.None);

        Assert.Null(await fixture.Service<CrashHistory>().LatestAsync(987_654, CancellationToken.None));
    }

    [Fact]
    public async Task The_api_pages_newest_first_in_the_documented_shape()
    {
        var id = await fixture.CreateServerAsync("crash-api");
        await WriteConsoleLogAsync(id, ["before", "the end"]);
        await Recorder.RecordAsync(new CrashReport(id, At, null, 9, 61, CrashClassification.Signal, "killed by signal 9"), CancellationToken.None);
        await Recorder.RecordAsync(new CrashReport(id, At.AddMinutes(1), 2, null, 1, CrashClassification.StartupFailure, "exited before ready"), CancellationToken.None);
        var viewer = await fixture.Factory.CreateClientWithRoleAsync(Roles.Viewer);

        var first = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/servers/{id}/crashes?page=1&pageSize=1");
        var second = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/servers/{id}/crashes?page=2&pageSize=1");

        Assert.Equal(2, first.GetProperty("total").GetInt32());
        var newest = Assert.Single(first.GetProperty("items").EnumerateArray().ToList());
        Assert.Equal(["at", "exitCode", "signal", "uptimeSeconds", "classification", "description", "lastLines"], newest.EnumerateObject().Select(p => p.Name));
        Assert.Equal("StartupFailure", newest.GetProperty("classification").GetString());
        Assert.Equal(2, newest.GetProperty("exitCode").GetInt32());
        var older = Assert.Single(second.GetProperty("items").EnumerateArray().ToList());
        Assert.Equal("Signal", older.GetProperty("classification").GetString());
        Assert.Equal(9, older.GetProperty("signal").GetInt32());
        Assert.Equal(JsonValueKind.Null, older.GetProperty("exitCode").ValueKind);
        Assert.Equal(61, older.GetProperty("uptimeSeconds").GetDouble());
        Assert.Equal(["before", "the end"], older.GetProperty("lastLines").EnumerateArray().Select(l => l.GetString()));
    }

    [Theory]
    [InlineData("?page=0")]
    [InlineData("?pageSize=0")]
    [InlineData("?pageSize=1000")]
    [InlineData("?page=abc")]
    public async Task Bad_paging_is_a_400(string query)
    {
        var id = await fixture.CreateServerAsync($"crash-bad-{Guid.NewGuid():N}"[..30]);
        var viewer = await fixture.Factory.CreateClientWithRoleAsync(Roles.Viewer);

        var response = await viewer.GetAsync($"/api/v1/servers/{id}/crashes{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_server_is_a_404()
    {
        var viewer = await fixture.Factory.CreateClientWithRoleAsync(Roles.Viewer);

        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/v1/servers/987654/crashes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/v1/servers/987654/metrics")).StatusCode);
    }
}
