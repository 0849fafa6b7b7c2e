using ServerDashboard.Cli;
using ServerDashboard.Testing;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Data;

/// <summary>A store the dashboard cannot use stops the start with one clear message and a sysexits code, never a stack trace.</summary>
public sealed class StoreConfigurationTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("MySql", null, "Dashboard:Database:Provider is 'MySql': it must be Sqlite (the default) or PostgreSql.")]
    [InlineData("PostgreSql", null, "ConnectionStrings:Dashboard (environment: ConnectionStrings__Dashboard) is not set")]
    [InlineData("PostgreSql", "Host=;Database=x", "names no Host")]
    [InlineData("PostgreSql", "Hots=127.0.0.1;Password=hunter2-secret", "is not a valid PostgreSQL connection string")]
    [InlineData("Sqlite", "Host=127.0.0.1;Database=x;Password=hunter2-secret", "is set but Dashboard:Database:Provider is Sqlite")]
    public async Task A_bad_store_setting_exits_78_naming_the_setting(string provider, string? connectionString, string expected)
    {
        using var data = new TempDirectory("sd-store-config");
        var environment = new Dictionary<string, string> { ["Dashboard__Database__Provider"] = provider };
        environment["ConnectionStrings__Dashboard"] = connectionString ?? "";
        await using var dashboard = DashboardProcess.Launch(data.Path, environment: environment);

        var exitCode = await dashboard.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode == DashboardCli.ConfigurationErrorExitCode, dashboard.Output);
        Assert.Contains(expected, dashboard.Output);
        AssertNoSecretsOrStack(dashboard.Output);
    }

    [Fact]
    public async Task An_unreachable_postgresql_server_exits_69_so_a_service_manager_retries_it()
    {
        using var data = new TempDirectory("sd-store-down");
        var port = FreePort.Next(); // nothing listens there
        var environment = new Dictionary<string, string>
        {
            ["Dashboard__Database__Provider"] = "PostgreSql",
            ["ConnectionStrings__Dashboard"] = $"Host=127.0.0.1;Port={port};Database=sd;Username=sd;Password=hunter2-secret;Timeout=5",
        };
        await using var dashboard = DashboardProcess.Launch(data.Path, environment: environment);

        var exitCode = await dashboard.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode == DashboardCli.StoreUnavailableExitCode, dashboard.Output);
        Assert.Contains($"The PostgreSQL database 'sd' on 127.0.0.1:{port} as user 'sd' is unreachable", dashboard.Output);
        AssertNoSecretsOrStack(dashboard.Output);
    }

    private static void AssertNoSecretsOrStack(string output)
    {
        Assert.DoesNotContain("hunter2-secret", output);
        Assert.DoesNotContain("   at ", output); // no stack trace lines
    }
}
