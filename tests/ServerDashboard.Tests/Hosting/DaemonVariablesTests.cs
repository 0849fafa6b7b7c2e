using ServerDashboard.Testing;
using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerDashboard.Cli;
using ServerDashboard.Hosting;
using ServerDashboard.Rcon;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Hosting;

/// <summary>The seed's DAEMON_* variables: aliases of Dashboard:* options, checked so a bad value names the variable.</summary>
public sealed class DaemonVariablesTests
{
    [Theory]
    [InlineData("DAEMON_MONITORING_INTERVAL", "2", "Dashboard:Monitoring:IntervalSeconds", "2")]
    [InlineData("DAEMON_STARTUP_TIMEOUT", " 45 ", "Dashboard:Monitoring:StartupTimeoutSeconds", "45")]
    [InlineData("DAEMON_ENABLE_MONITORING", "0", "Dashboard:Monitoring:Enabled", "false")]
    [InlineData("DAEMON_MAX_MEMORY_MB", "4096", "Dashboard:ServerDefaults:MaxMemoryMb", "4096")]
    [InlineData("DAEMON_MAX_CPU_PERCENT", "150", "Dashboard:ServerDefaults:MaxCpuPercent", "150")]
    [InlineData("DAEMON_MAX_OPEN_FILES", "65536", "Dashboard:ServerDefaults:MaxOpenFiles", "65536")]
    [InlineData("DAEMON_LOG_ROTATION_SIZE", "10485760B", "Dashboard:Logs:MaxSizeMb", "10")]
    [InlineData("DAEMON_LOG_ROTATION_SIZE", "512K", "Dashboard:Logs:MaxSizeMb", "1")]
    [InlineData("DAEMON_LOG_ROTATION_SIZE", "2G", "Dashboard:Logs:MaxSizeMb", "2048")]
    [InlineData("DAEMON_LOG_ROTATION_SIZE", "50", "Dashboard:Logs:MaxSizeMb", "50")]
    [InlineData("DAEMON_RCON_TIMEOUT", "2.5", "Rcon:CommandTimeout", "00:00:02.5000000")]
    [InlineData("DAEMON_RCON_RETRY_ATTEMPTS", "3", "Rcon:RetryAttempts", "3")]
    [InlineData("DAEMON_ENABLE_RCON", "off", "Rcon:Enabled", "false")]
    [InlineData("DAEMON_ENABLE_AUTO_RECOVERY", "yes", "Dashboard:Supervision:AutoRestart", "true")]
    [InlineData("DAEMON_RECOVERY_TIMEOUT", "300", "Dashboard:Supervision:CrashLoopWindowSeconds", "300")]
    [InlineData("DAEMON_MAX_RECOVERY_ATTEMPTS", "7", "Dashboard:Supervision:CrashLoopMaxRestarts", "7")]
    [InlineData("DAEMON_PID_DIRECTORY", "/var/run/sd", "Dashboard:Processes:PidDirectory", "/var/run/sd")]
    [InlineData("DAEMON_ENABLE_PERSISTENCE", "TRUE", "Dashboard:Processes:Persistence", "true")]
    [InlineData("DAEMON_MODE", "double_fork", "Dashboard:Processes:LaunchMode", "double_fork")]
    [InlineData("DAEMON_MODE", "posix-spawn", "Dashboard:Processes:LaunchMode", "posix_spawn")]
    [InlineData("DAEMON_LOG_LEVEL", "warn", "Serilog:MinimumLevel:Default", "Warning")]
    [InlineData("DAEMON_LOG_LEVEL", "DEBUG", "Serilog:MinimumLevel:Default", "Debug")]
    public void A_variable_sets_its_option(string name, string value, string key, string expected)
    {
        var configuration = Build(new Hashtable { [name] = value });

        Assert.Equal(expected, configuration[key]);
    }

    [Theory]
    [InlineData("DAEMON_MONITORING_INTERVAL", "abc")]
    [InlineData("DAEMON_MONITORING_INTERVAL", "0")]
    [InlineData("DAEMON_MONITORING_INTERVAL", "2.5")]
    [InlineData("DAEMON_STARTUP_TIMEOUT", "-1")]
    [InlineData("DAEMON_ENABLE_MONITORING", "maybe")]
    [InlineData("DAEMON_MAX_OPEN_FILES", "8")]
    [InlineData("DAEMON_LOG_ROTATION_SIZE", "10 parsecs")]
    [InlineData("DAEMON_LOG_ROTATION_SIZE", "0")]
    [InlineData("DAEMON_RCON_TIMEOUT", "forever")]
    [InlineData("DAEMON_PID_DIRECTORY", "  ")]
    [InlineData("DAEMON_ENABLE_PERSISTENCE", "false")]
    [InlineData("DAEMON_MODE", "fork_bomb")]
    [InlineData("DAEMON_LOG_LEVEL", "loud")]
    public void A_bad_value_is_refused_naming_the_variable_and_the_option(string name, string value)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Build(new Hashtable { [name] = value }));

        Assert.Contains($"{name}=", error.Message);
        Assert.Contains(DaemonVariables.All.Single(v => v.Name == name).Key, error.Message);
        Assert.Contains("expected", error.Message.ToLowerInvariant().Replace("cannot be turned off", "expected"));
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once_and_a_control_character_is_escaped()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() =>
            Build(new Hashtable { ["DAEMON_MONITORING_INTERVAL"] = "x\ny", ["DAEMON_MODE"] = "spawn" }));

        Assert.Contains("DAEMON_MONITORING_INTERVAL=x\\ny", error.Message);
        Assert.Contains("DAEMON_MODE=spawn", error.Message);
    }

    [Fact]
    public void The_native_spelling_wins_over_the_alias_and_the_alias_over_appsettings()
    {
        var prefix = $"SDTEST{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Dashboard__Monitoring__StartupTimeoutSeconds", "99");
        try
        {
            var builder = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Dashboard:Monitoring:IntervalSeconds"] = "5",
                    ["Dashboard:Monitoring:StartupTimeoutSeconds"] = "30",
                })
                .AddEnvironmentVariables(prefix);
            DaemonEnvironmentSource.AddTo(builder, new Hashtable { ["DAEMON_MONITORING_INTERVAL"] = "2", ["DAEMON_STARTUP_TIMEOUT"] = "10" });
            var configuration = builder.Build();

            Assert.Equal("2", configuration["Dashboard:Monitoring:IntervalSeconds"]);
            Assert.Equal("99", configuration["Dashboard:Monitoring:StartupTimeoutSeconds"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Dashboard__Monitoring__StartupTimeoutSeconds", null);
        }
    }

    [Fact]
    public void The_configuration_doc_has_a_row_for_every_variable_with_its_option()
    {
        var doc = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "docs", "configuration.md"));

        foreach (var variable in DaemonVariables.All)
        {
            var row = doc.FirstOrDefault(line => line.StartsWith('|') && line.Contains($"`{variable.Name}`"));
            Assert.True(row is not null, $"docs/configuration.md has no table row for {variable.Name}");
            Assert.Contains($"`{variable.Key}`", row);
        }
    }

    [Fact]
    public async Task RCON_turned_off_for_the_dashboard_refuses_before_connecting()
    {
        var looked = false;
        await using var connections = new RconConnections(
            (_, _) => { looked = true; return Task.FromResult<RconTarget?>(new RconTarget("127.0.0.1", 1, "pw")); },
            Options.Create(new RconOptions { Enabled = false }), TimeProvider.System, NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAsync<RconUnavailableException>(() => connections.ExecuteAsync(1, "list", CancellationToken.None));

        Assert.Contains("DAEMON_ENABLE_RCON", error.Message);
        Assert.False(looked);
    }

    [Fact]
    public async Task RetryAttempts_bounds_the_connect_attempts_to_a_dead_port()
    {
        var deadPort = FreePort.Next(); // nothing listens: every connect is refused at once
        await using var connections = new RconConnections(
            (_, _) => Task.FromResult<RconTarget?>(new RconTarget("127.0.0.1", deadPort, "pw")),
            Options.Create(new RconOptions { RetryAttempts = 2, ReconnectTimeout = TimeSpan.FromMinutes(5) }), TimeProvider.System, NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAsync<RconConnectionException>(() => connections.ExecuteAsync(1, "list", CancellationToken.None));

        Assert.Contains("after 3 attempts", error.Message);
    }

    [Fact]
    public async Task Server_defaults_prefill_every_template()
    {
        await using var factory = new DashboardFactory(settings: new Dictionary<string, string>
        {
            ["Dashboard:ServerDefaults:MaxMemoryMb"] = "3072",
            ["Dashboard:ServerDefaults:MaxCpuPercent"] = "150",
            ["Dashboard:ServerDefaults:MaxOpenFiles"] = "8192",
        });
        var viewer = await factory.CreateClientWithRoleAsync(ServerDashboard.Auth.Roles.Viewer);

        var templates = await viewer.GetFromJsonAsync<JsonElement>("/api/v1/server-templates", JsonDefaults.Options);

        Assert.Equal(3, templates.GetArrayLength());
        foreach (var template in templates.EnumerateArray())
        {
            var limits = template.GetProperty("model").GetProperty("limits");
            Assert.Equal(3072, limits.GetProperty("maxMemoryMb").GetInt32());
            Assert.Equal(150, limits.GetProperty("cpuWarnPercent").GetInt32());
            Assert.Equal(8192, limits.GetProperty("maxOpenFiles").GetInt32());
        }
    }

    [Fact]
    public async Task The_dashboard_refuses_to_start_with_a_bad_variable_and_says_which()
    {
        using var data = new TempDirectory();
        await using var dashboard = DashboardProcess.Launch(data.Path, environment: new Dictionary<string, string> { ["DAEMON_MONITORING_INTERVAL"] = "abc" });

        var exitCode = await dashboard.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(DashboardCli.ConfigurationErrorExitCode, exitCode);
        Assert.Contains("DAEMON_MONITORING_INTERVAL=abc is not valid", dashboard.Output);
        Assert.Contains("Dashboard:Monitoring:IntervalSeconds", dashboard.Output);
    }

    [Fact]
    public async Task The_dashboard_refuses_to_start_with_a_bad_native_option_and_says_which()
    {
        using var data = new TempDirectory();
        await using var dashboard = DashboardProcess.Launch(data.Path, environment: new Dictionary<string, string> { ["Dashboard__Monitoring__IntervalSeconds"] = "0" });

        var exitCode = await dashboard.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(DashboardCli.ConfigurationErrorExitCode, exitCode);
        Assert.Contains("Dashboard:Monitoring:IntervalSeconds must be a whole number of seconds, at least 1", dashboard.Output);
    }

    [Fact]
    public async Task The_dashboard_honours_the_monitoring_interval_and_pid_directory_variables()
    {
        using var data = new TempDirectory();
        var pidDirectory = Path.Combine(data.Path, "pids");
        await using var dashboard = await DashboardProcess.StartAsync(data.Path, environment: new Dictionary<string, string>
        {
            ["DAEMON_MONITORING_INTERVAL"] = "2",
            ["DAEMON_PID_DIRECTORY"] = pidDirectory,
        });

        Assert.Contains("Monitoring every 2 s", dashboard.Output);
        Assert.Contains($"PID directory: {pidDirectory}", dashboard.Output);
        Assert.True(Directory.Exists(pidDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(pidDirectory));
        Assert.False(Directory.Exists(Path.Combine(data.Path, "run")));
    }

    private static IConfiguration Build(IDictionary environment)
    {
        var builder = new ConfigurationBuilder();
        DaemonEnvironmentSource.AddTo(builder, environment);
        return builder.Build();
    }
}
