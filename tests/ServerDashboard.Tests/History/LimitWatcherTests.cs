using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Servers.Limits;
using ServerDashboard.Servers.Monitoring;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.History;

/// <summary>Limits as warnings: N samples over cpuWarnPercent or maxMemoryMb raise one warning, audited as system.</summary>
public sealed class LimitWatcherTests(HistoryFixture fixture) : IClassFixture<HistoryFixture>
{
    private LimitWatcher Watcher => fixture.Factory.Services.GetServices<IMonitoringTickHandler>().OfType<LimitWatcher>().Single();

    private static MonitoringTick Tick(DateTimeOffset at, int id, double cpu, long memoryMb) =>
        new(at, [new ServerSample(id, 1, true, cpu, memoryMb * 1048576, 5, 2, 1)]);

    private async Task<int> CreateAsync(string name, int? cpuWarn, int? memoryMb, LimitAction action = LimitAction.Warn)
    {
        var model = ServerRequests.Valid(name);
        model.Limits = new LimitsModel { CpuWarnPercent = cpuWarn, MaxMemoryMb = memoryMb, LimitAction = action };
        return await fixture.CreateServerAsync(name, model);
    }

    [Fact]
    public async Task Three_samples_over_the_cpu_warning_raise_one_warning_audited_as_system()
    {
        var id = await CreateAsync("limit-cpu", cpuWarn: 50, memoryMb: null);
        var feed = fixture.Service<LimitWarningFeed>();
        var at = DateTimeOffset.UtcNow;

        await Watcher.OnTickAsync(Tick(at, id, 80, 10), CancellationToken.None);
        await Watcher.OnTickAsync(Tick(at.AddSeconds(5), id, 90, 10), CancellationToken.None);
        Assert.Empty(feed.Active(id));
        await Watcher.OnTickAsync(Tick(at.AddSeconds(10), id, 95, 10), CancellationToken.None);
        await Watcher.OnTickAsync(Tick(at.AddSeconds(15), id, 99, 10), CancellationToken.None);

        var warning = Assert.Single(feed.Active(id));
        Assert.Equal(LimitKind.Cpu, warning.Kind);
        Assert.Equal(95, warning.Value);
        var audit = await fixture.Service<AuditLog>().QueryAsync(new AuditQuery(id, null, AuditActions.LimitWarning, null, null, Take: 10), CancellationToken.None);
        var entry = Assert.Single(audit.Entries);
        Assert.Equal("system", entry.Actor);
        Assert.Contains("CPU 95 % over the warning of 50 %", entry.Detail);

        await Watcher.OnTickAsync(Tick(at.AddSeconds(20), id, 10, 10), CancellationToken.None);
        Assert.Empty(feed.Active(id));
    }

    [Fact]
    public async Task Memory_over_the_limit_warns_and_a_dip_resets_the_count()
    {
        var id = await CreateAsync("limit-memory", cpuWarn: null, memoryMb: 100);
        var feed = fixture.Service<LimitWarningFeed>();
        var at = DateTimeOffset.UtcNow;

        foreach (var (mb, i) in new long[] { 150, 150, 90, 150, 150 }.Select((mb, i) => (mb, i)))
        {
            await Watcher.OnTickAsync(Tick(at.AddSeconds(5 * i), id, 1, mb), CancellationToken.None);
        }

        Assert.Empty(feed.Active(id));
        await Watcher.OnTickAsync(Tick(at.AddSeconds(30), id, 1, 150), CancellationToken.None);
        Assert.Equal(LimitKind.Memory, Assert.Single(feed.Active(id)).Kind);
    }

    [Fact]
    public async Task A_limit_set_by_an_edit_applies_at_the_next_tick_and_a_removed_one_stops_counting()
    {
        var id = await CreateAsync("limit-edited", cpuWarn: null, memoryMb: null);
        var feed = fixture.Service<LimitWarningFeed>();
        var catalog = fixture.Service<ServerCatalog>();
        var at = DateTimeOffset.UtcNow;
        await Watcher.OnTickAsync(Tick(at, id, 99, 10), CancellationToken.None); // definitions read: no limit

        var model = ServerMapper.ToModel((await catalog.GetAsync(id, CancellationToken.None))!, includeSecrets: true);
        model.Limits = new LimitsModel { CpuWarnPercent = 50 };
        Assert.True((await catalog.UpdateAsync(id, model, CancellationToken.None)).Succeeded);
        for (var i = 1; i <= 3; i++)
        {
            await Watcher.OnTickAsync(Tick(at.AddSeconds(5 * i), id, 99, 10), CancellationToken.None);
        }

        Assert.Equal(LimitKind.Cpu, Assert.Single(feed.Active(id)).Kind);

        model.Limits = new LimitsModel();
        Assert.True((await catalog.UpdateAsync(id, model, CancellationToken.None)).Succeeded);
        await Watcher.OnTickAsync(Tick(at.AddSeconds(20), id, 10, 10), CancellationToken.None);
        Assert.Empty(feed.Active(id));
    }

    [Fact]
    public async Task The_monitoring_list_is_one_read_until_a_definition_changes()
    {
        var catalog = fixture.Service<ServerCatalog>();
        var id = await CreateAsync("limit-recent", cpuWarn: null, memoryMb: null);

        var first = await catalog.ListForMonitoringAsync(CancellationToken.None);
        Assert.Same(first, await catalog.ListForMonitoringAsync(CancellationToken.None));
        Assert.Null(first.Single(s => s.Id == id).MaxMemoryMb);

        var model = ServerMapper.ToModel((await catalog.GetAsync(id, CancellationToken.None))!, includeSecrets: true);
        model.Limits = new LimitsModel { MaxMemoryMb = 64 };
        var revision = catalog.Revision;
        Assert.True((await catalog.UpdateAsync(id, model, CancellationToken.None)).Succeeded);
        Assert.True(catalog.Revision > revision);

        var second = await catalog.ListForMonitoringAsync(CancellationToken.None);
        Assert.NotSame(first, second);
        Assert.Equal(64, second.Single(s => s.Id == id).MaxMemoryMb);

        Assert.Equal(DeleteOutcome.Deleted, await catalog.DeleteAsync(id, CancellationToken.None));
        Assert.DoesNotContain(await catalog.ListForMonitoringAsync(CancellationToken.None), s => s.Id == id);
    }

    [Fact]
    public async Task The_definition_api_takes_and_checks_the_limit_action()
    {
        var admin = await fixture.Factory.CreateClientWithRoleAsync(Roles.Admin);
        var model = ServerRequests.Valid("limit-api");
        model.Limits = new LimitsModel { MaxMemoryMb = 256, LimitAction = LimitAction.Restart };
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(LimitAction.Restart, (await created.ReadJsonAsync<ServerModel>())!.Limits.LimitAction);

        var bad = ServerRequests.Valid("limit-api-bad");
        bad.Limits = new LimitsModel { LimitAction = LimitAction.Restart };
        var refused = await admin.PostAsJsonAsync("/api/v1/servers", bad, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("limits.limitAction", await refused.Content.ReadAsStringAsync());
    }
}
