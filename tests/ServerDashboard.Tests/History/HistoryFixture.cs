using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.History;

/// <summary>One real dashboard (real SQLite) for the history tests, keeping 3 crash records per server and 5 lines each.</summary>
public sealed class HistoryFixture : IDisposable
{
    public const int Retention = 3;
    public const int LastLines = 5;

    public DashboardFactory Factory { get; } = new(settings: new Dictionary<string, string>(DashboardFactory.UnlimitedRates)
    {
        ["Dashboard:Monitoring:Crashes:RetentionPerServer"] = $"{Retention}",
        ["Dashboard:Monitoring:Crashes:LastLines"] = $"{LastLines}",
    });

    public T Service<T>() where T : notnull => Factory.Services.GetRequiredService<T>();

    public async Task<int> CreateServerAsync(string name, ServerModel? model = null)
    {
        var admin = await Factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model ?? ServerRequests.Valid(name), JsonDefaults.Options);
        created.EnsureSuccessStatusCode();
        return (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
    }

    public void Dispose() => Factory.Dispose();
}
