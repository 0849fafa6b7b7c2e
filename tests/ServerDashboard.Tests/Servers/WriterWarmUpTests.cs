using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Servers;

/// <summary>The run-state and audit writers' start-up warm-ups, on the dashboard's real store.</summary>
public sealed class WriterWarmUpTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task The_start_up_warm_up_writes_nothing_and_the_first_real_write_still_lands()
    {
        var store = factory.Services.GetRequiredService<RunStateStore>();
        await store.WarmedUp.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0L, await CountAsync("SELECT COUNT(*) FROM \"ServerRunStates\""));

        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.SampleGameServer("warm-up"), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        store.SetShouldRun(id, true);
        await store.FlushAsync(CancellationToken.None);

        Assert.Equal(1L, await CountAsync($"SELECT COUNT(*) FROM \"ServerRunStates\" WHERE \"ServerId\" = {id.ToString(CultureInfo.InvariantCulture)}"));
        Assert.Equal(1L, await CountAsync("SELECT COUNT(*) FROM \"ServerRunStates\""));
    }

    [Fact]
    public async Task The_audit_writers_warm_up_writes_nothing_and_the_next_entry_lands()
    {
        var audit = factory.Services.GetRequiredService<Audit.AuditLog>();
        var before = await CountAsync("SELECT COUNT(*) FROM \"AuditLog\"");

        await audit.WarmUpAsync(CancellationToken.None);

        Assert.Equal(before, await CountAsync("SELECT COUNT(*) FROM \"AuditLog\""));
        await audit.RecordAsync(new Audit.AuditActor("warm-up test", "127.0.0.1"), "test", "after the warm-up", success: true, result: "ok");
        Assert.Equal(before + 1, await CountAsync("SELECT COUNT(*) FROM \"AuditLog\""));
    }

    private async Task<long> CountAsync(string sql) =>
        Convert.ToInt64(await TestStore.ScalarAsync(factory.Services, sql), CultureInfo.InvariantCulture);
}
