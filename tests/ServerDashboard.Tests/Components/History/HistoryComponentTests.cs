using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Components.Servers;
using ServerDashboard.Servers;
using ServerDashboard.Servers.History;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Tests.Components.History;

/// <summary>The Crashes tab, the crash summary in the list, and the charts of the Resources tab (MudBlazor SVG, no JS).</summary>
public sealed class HistoryComponentTests : IDisposable
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-12-01T12:00:00Z");
    private readonly DashboardComponentContext ctx = new();

    public HistoryComponentTests()
    {
        // MudBlazor's axis charts measure their SVG through JS before drawing series; bUnit has no layout, so answer for it.
        ctx.JSInterop.Setup<MudBlazor.Interop.ElementSize>(_ => true)
            .SetResult(new MudBlazor.Interop.ElementSize { Width = 700, Height = 200, Timestamp = 1 });
    }

    private async Task<int> CreateServerAsync(string name) =>
        (await ctx.Services.GetRequiredService<ServerCatalog>().CreateAsync(new ServerModel { Name = name, Command = ["/bin/sh"] }, CancellationToken.None)).Server!.Id;

    private Task RecordAsync(int id, DateTimeOffset at, int exitCode, string description) =>
        ctx.Services.GetRequiredService<ICrashRecorder>().RecordAsync(
            new CrashReport(id, at, exitCode, null, 75, CrashClassification.Crash, description), CancellationToken.None);

    [Fact]
    public async Task The_crash_list_shows_records_newest_first_with_their_last_lines()
    {
        ctx.LogInAs("victor", Roles.Viewer);
        var id = await CreateServerAsync("crashy");
        var log = Path.Combine(ctx.Data.Path, "servers", $"{id}", "console.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        await File.WriteAllLinesAsync(log, ["[INFO] loading world", "[ERROR] Simulated crash, exiting with code 3"]);
        await RecordAsync(id, At, 1, "first");
        await RecordAsync(id, At.AddMinutes(5), 3, "exited with code 3");

        var cut = ctx.Render<CrashList>(p => p.Add(c => c.ServerId, id));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid='crash-item']").Count));
        var summaries = cut.FindAll("[data-testid='crash-summary']").Select(s => s.TextContent).ToList();
        Assert.Equal(["Crashed (exit code 3) after 1 m 15 s", "Crashed (exit code 1) after 1 m 15 s"], summaries);
        Assert.Contains("Simulated crash, exiting with code 3", cut.Find("[data-testid='crash-lines']").TextContent);
    }

    [Fact]
    public async Task A_new_crash_appears_in_the_open_list_without_a_reload()
    {
        ctx.LogInAs("victor", Roles.Viewer);
        var id = await CreateServerAsync("live-crash");
        var cut = ctx.Render<CrashList>(p => p.Add(c => c.ServerId, id));
        cut.WaitForAssertion(() => Assert.Equal("0", cut.Find("[data-testid='crash-list']").GetAttribute("data-total")));
        Assert.Contains("No crashes recorded", cut.Markup);

        await RecordAsync(id, At, 2, "exited with code 2");

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid='crash-item']")));
    }

    [Fact]
    public async Task The_servers_list_puts_the_newest_crash_in_the_status_tooltip()
    {
        ctx.LogInAs("admin", Roles.Admin);
        var id = await CreateServerAsync("tooltip");
        await RecordAsync(id, At, 3, "exited with code 3");

        var cut = ctx.RenderWithProviders<ServerDashboard.Components.Pages.Servers>();

        cut.WaitForAssertion(() => Assert.Contains("Crashed (exit code 3) after 1 m 15 s",
            cut.Find($"[data-testid='status-{id}']").GetAttribute("title")));
    }

    [Fact]
    public void A_chart_draws_a_fake_series_and_shows_the_newest_value()
    {
        var points = Enumerable.Range(0, 30)
            .Select(i => new MetricPoint(At.AddSeconds(5 * i), i, i * 1048576L, 10, 4)).ToList();

        var cut = ctx.Render<ResourceChart>(p => p
            .Add(c => c.Title, "CPU %")
            .Add(c => c.Points, points)
            .Add(c => c.Value, point => point.CpuPercent)
            .Add(c => c.TestId, "chart-cpu"));

        Assert.Equal("30", cut.Find("[data-testid='chart-cpu']").GetAttribute("data-points"));
        // The series path is drawn on the render after the axes are laid out.
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("svg path.mud-chart-line")));
        Assert.Equal("29", cut.Find("[data-testid='chart-cpu-latest']").TextContent);
    }

    [Fact]
    public void A_chart_without_points_says_so()
    {
        var cut = ctx.Render<ResourceChart>(p => p
            .Add(c => c.Title, "Threads")
            .Add(c => c.Points, [])
            .Add(c => c.Value, point => point.Threads));

        Assert.Empty(cut.FindAll("svg"));
        Assert.Contains("No samples in this range yet.", cut.Markup);
    }

    [Fact]
    public async Task The_resources_panel_adds_each_pushed_sample_to_its_live_charts()
    {
        ctx.LogInAs("victor", Roles.Viewer);
        var id = await CreateServerAsync("live-charts");
        var feed = ctx.Services.GetRequiredService<LiveSampleFeed>();
        var now = DateTimeOffset.UtcNow;
        feed.Publish(new MonitoringTick(now.AddSeconds(-10), [new ServerSample(id, 1, true, 5, 100 << 20, 8, 3, 1)]));

        var cut = ctx.Render<ResourcesPanel>(p => p.Add(c => c.ServerId, id));
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("[data-testid='chart-memory']").GetAttribute("data-points")));

        feed.Publish(new MonitoringTick(now.AddSeconds(-5), [new ServerSample(id, 1, true, 7, 300 << 20, 8, 3, 1)]));
        feed.Publish(new MonitoringTick(now, [new ServerSample(id + 1000, 1, true, 99, 1, 1, 1, 1)])); // another server

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid='chart-memory']").GetAttribute("data-points")));
        Assert.Equal("300.0 MB", cut.Find("[data-testid='chart-memory-latest']").TextContent);
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid='chart-cpu'] svg path.mud-chart-line")));
    }

    public void Dispose() => ctx.Dispose();
}
