using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Audit;
using ServerDashboard.Components.Schedules;
using ServerDashboard.Data;
using ServerDashboard.Schedules;

namespace ServerDashboard.Tests.Components.Schedules;

/// <summary>The Schedules tab and page against the real store (SQLite) in a bUnit context.</summary>
public sealed class SchedulesComponentTests : IDisposable
{
    private readonly DashboardComponentContext context = new();

    public SchedulesComponentTests()
    {
        context.Services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        context.Services.AddScheduleStore();
    }

    private ScheduleService Store => context.Services.GetRequiredService<ScheduleService>();

    [Fact]
    public async Task The_tab_lists_a_servers_schedules_with_next_run_and_last_outcome()
    {
        context.LogInAs("olga", Roles.Operator);
        var server = await AddServerAsync("tab-list");
        var schedule = await CreateAsync(server, new ScheduleBody { Name = "nightly restart", Cron = "0 4 * * *", TimeZone = "Europe/Berlin", Action = "Restart" });
        await Store.RecordRunAsync(new Schedule { Id = schedule.Id, ServerId = server, Name = schedule.Name },
            new ScheduleRun { ScheduleId = schedule.Id, Outcome = ScheduleRunOutcome.Failed, Detail = "Server 'tab-list' is not running." }, "tab-list");

        var cut = RenderTab(server);

        var row = cut.WaitForElement("[data-testid=schedule-row][data-schedule='nightly restart']");
        Assert.Contains("0 4 * * * (Europe/Berlin)", row.TextContent);
        Assert.Contains(ScheduleText.Local(schedule.NextRunAt!.Value, "Europe/Berlin"), row.QuerySelector("[data-testid=schedule-next]")!.TextContent);
        Assert.Contains("04:00", row.QuerySelector("[data-testid=schedule-next]")!.TextContent);
        Assert.Equal("Failed", row.QuerySelector("[data-testid=schedule-last-outcome]")!.TextContent.Trim());
        Assert.NotNull(cut.Find("[data-testid=add-schedule]"));
        Assert.NotNull(row.QuerySelector("[data-testid=schedule-edit]"));
    }

    [Fact]
    public async Task A_viewer_sees_schedules_read_only()
    {
        context.LogInAs("vera", Roles.Viewer);
        var server = await AddServerAsync("tab-viewer");
        await CreateAsync(server, new ScheduleBody { Name = "announce", Cron = "*/30 * * * *", Action = "Command", Command = "say hi" });

        var cut = RenderTab(server);

        var row = cut.WaitForElement("[data-testid=schedule-row]");
        Assert.Empty(cut.FindAll("[data-testid=add-schedule]"));
        Assert.Null(row.QuerySelector("[data-testid=schedule-edit]"));
        Assert.Null(row.QuerySelector("[data-testid=schedule-delete]"));
        Assert.NotNull(row.QuerySelector("[data-testid=schedule-history]"));
        Assert.NotNull(row.QuerySelector("input[disabled]")); // the toggle
    }

    [Fact]
    public async Task The_add_dialog_previews_the_next_three_runs_and_saves_the_schedule()
    {
        context.LogInAs("olga", Roles.Operator);
        var server = await AddServerAsync("tab-add");
        var cut = RenderTab(server);
        cut.WaitForElement("[data-testid=add-schedule]").Click();

        cut.WaitForElement("input[data-testid=schedule-name]").Change("weekday mornings");
        cut.Find("input[data-testid=schedule-timezone]").Input("Europe/Berlin");
        cut.Find("input[data-testid=schedule-cron]").Input("0 6 * * 1-5");

        cut.WaitForAssertion(() =>
        {
            var runs = cut.FindAll("[data-testid=preview-run]").Select(e => e.TextContent).ToList();
            Assert.Equal(3, runs.Count);
            Assert.All(runs, r => Assert.Matches(@" 06:00 \+0[12]:00$", r)); // CET or CEST, whenever the test runs
            Assert.All(runs, r => Assert.DoesNotMatch("^(Sat|Sun)", r));
        });
        Assert.Contains("minute hour day-of-month month day-of-week", cut.Markup);

        cut.Find("[data-testid=schedule-save]").Click();

        cut.WaitForElement("[data-testid=schedule-row][data-schedule='weekday mornings']");
        var saved = Assert.Single((await Store.ListAsync(server, CancellationToken.None))!);
        Assert.Equal(("0 6 * * 1-5", "Europe/Berlin", "Restart"), (saved.Cron, saved.TimeZone, saved.Action));
        await using var db = context.OpenDb();
        Assert.Equal("olga", (await db.AuditEntries.SingleAsync(e => e.Action == ScheduleService.CreateAction)).Actor);
    }

    [Fact]
    public async Task A_bad_cron_shows_why_in_the_preview_and_is_not_saved()
    {
        context.LogInAs("olga", Roles.Operator);
        var server = await AddServerAsync("tab-bad");
        var cut = RenderTab(server);
        cut.WaitForElement("[data-testid=add-schedule]").Click();

        cut.WaitForElement("input[data-testid=schedule-name]").Change("broken");
        cut.Find("input[data-testid=schedule-cron]").Input("0 4 * *");
        cut.WaitForAssertion(() => Assert.Contains("5 fields", cut.Find("[data-testid=schedule-preview-error]").TextContent));
        cut.Find("[data-testid=schedule-save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("5 fields", cut.Find("[data-testid=error-cron]").TextContent));
        Assert.Empty((await Store.ListAsync(server, CancellationToken.None))!);
    }

    [Fact]
    public async Task Delete_asks_first_and_then_removes_the_schedule()
    {
        context.LogInAs("olga", Roles.Operator);
        var server = await AddServerAsync("tab-delete");
        await CreateAsync(server, new ScheduleBody { Name = "doomed", Cron = "0 4 * * *", Action = "Stop" });
        var cut = RenderTab(server);

        cut.WaitForElement("[data-testid=schedule-delete]").Click();
        cut.WaitForElement("[data-testid=confirm-cancel]").Click();
        Assert.Single((await Store.ListAsync(server, CancellationToken.None))!);
        cut.WaitForElement("[data-testid=schedule-delete]").Click();
        cut.WaitForElement("[data-testid=confirm-ok]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=schedule-row]")));
        Assert.Empty((await Store.ListAsync(server, CancellationToken.None))!);
    }

    [Fact]
    public async Task The_toggle_disables_a_schedule_and_its_next_run_goes()
    {
        context.LogInAs("olga", Roles.Operator);
        var server = await AddServerAsync("tab-toggle");
        await CreateAsync(server, new ScheduleBody { Name = "toggled", Cron = "0 4 * * *", Action = "Restart" });
        var cut = RenderTab(server);

        cut.WaitForElement("[data-testid=schedule-row] input[type=checkbox]").Change(false);

        cut.WaitForAssertion(() => Assert.Equal("—", cut.Find("[data-testid=schedule-next]").TextContent.Trim()));
        Assert.False(Assert.Single((await Store.ListAsync(server, CancellationToken.None))!).Enabled);
    }

    [Fact]
    public async Task The_schedules_page_lists_every_servers_schedules_with_the_server()
    {
        context.LogInAs("vera", Roles.Viewer);
        var a = await AddServerAsync("page-a");
        var b = await AddServerAsync("page-b");
        await CreateAsync(a, new ScheduleBody { Name = "restart a", Cron = "0 4 * * *", Action = "Restart" });
        await CreateAsync(b, new ScheduleBody { Name = "backup b", Cron = "0 3 * * 0", Action = "Backup" });

        var cut = context.RenderWithProviders<ServerDashboard.Components.Pages.Schedules>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=schedule-row]").Count));
        Assert.Contains("page-a", cut.Find("[data-schedule='restart a']").TextContent);
        Assert.Equal($"servers/{b}", cut.Find("[data-schedule='backup b'] a").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=schedule-edit]"));
    }

    private IRenderedComponent<IComponent> RenderTab(int serverId) =>
        context.RenderWithProviders<ServerSchedules>((nameof(ServerSchedules.ServerId), serverId));

    private async Task<int> AddServerAsync(string name)
    {
        await using var db = context.OpenDb();
        var server = new ServerDefinition { Name = name, Command = ["/bin/true"] };
        db.Servers.Add(server);
        await db.SaveChangesAsync();
        return server.Id;
    }

    private async Task<ScheduleView> CreateAsync(int serverId, ScheduleBody body)
    {
        var change = await Store.CreateAsync(serverId, body, new AuditActor("tester", "local"), CancellationToken.None);
        Assert.True(change.Succeeded, string.Join("; ", change.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        return change.Schedule!;
    }

    public void Dispose() => context.Dispose();
}
