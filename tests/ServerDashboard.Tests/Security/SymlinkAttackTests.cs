using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerDashboard.Auth;
using ServerDashboard.Hosting;
using ServerDashboard.Logs;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hubs;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Security;

/// <summary>
/// Finding 1 end to end, as root with a server running as another user: a game account that plants symlinks in the
/// directories it can write gets a refusal, never root's files.
/// </summary>
public sealed class SymlinkAttackTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>, IDisposable
{
    private readonly DashboardFactory factory = fixture.Factory;
    private readonly TempDirectory temp = new("sd-symlink");

    [Fact]
    public async Task A_symlinked_extra_log_file_is_refused_and_reported_and_its_target_never_reaches_a_client()
    {
        Assert.True(UnixAccounts.IsRoot, "these tests run as root (the dashboard's usual account)");
        var secretText = $"TOP-SECRET-{Guid.NewGuid():N}";
        UnixAccounts.WriteRootOnly(temp.Combine("shadow"), secretText + "\n");
        var workingDirectory = temp.Combine("game");
        Directory.CreateDirectory(Path.Combine(workingDirectory, "logs"));
        UnixAccounts.Chown(workingDirectory, UnixAccounts.GameUser);
        UnixAccounts.Chown(Path.Combine(workingDirectory, "logs"), UnixAccounts.GameUser);
        // What a compromised game does: its log file becomes a link to a file only root can read.
        File.CreateSymbolicLink(Path.Combine(workingDirectory, "logs", "latest.log"), temp.Combine("shadow"));

        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var viewerKey = (await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync($"v-{Guid.NewGuid():N}", Roles.Viewer, "tests", CancellationToken.None)).PlainTextKey;
        var model = ServerRequests.Valid($"symlink-{Guid.NewGuid():N}"[..20]);
        model.Command = ["/bin/sh", "-c", "echo game started; exec sleep 1000"];
        model.WorkingDirectory = workingDirectory;
        model.RunAsUser = UnixAccounts.GameUser;
        model.LogFiles = ["logs/latest.log"];
        model.ReadyPattern = null;
        model.Port = null;
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;

        await using var hub = await HubFixture.ConnectAsync(factory, "/hubs/dashboard", header: viewerKey);
        using var streamStop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var streamed = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var batch in hub.StreamAsync("SubscribeLogs", [id, null], streamStop.Token))
            {
                lock (streamed)
                {
                    streamed.AddRange(batch.EnumerateArray().Select(l => l.GetProperty("text").GetString()!));
                }
            }
        });

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        try
        {
            var lines = await Eventually.ReturnsAsync(
                () => admin.GetFromJsonAsync<List<LogLine>>($"/api/v1/servers/{id}/logs?lines=100", JsonDefaults.Options)!,
                l => l!.Any(x => x.Source == LogMarkers.Source && x.Text.Contains("not following logs/latest.log")) && l!.Any(x => x.Text == "game started"),
                TimeSpan.FromSeconds(30), "the refusal marker and the console line");
            Assert.DoesNotContain(lines!, l => l.Text.Contains(secretText));
            await Eventually.TrueAsync(() => { lock (streamed) { return streamed.Any(t => t.Contains("not following logs/latest.log")); } },
                TimeSpan.FromSeconds(30), "the refusal marker on the hub");

            // The same trick on console.log itself (the daemon keeps writing its open fd): the tailer and the download refuse.
            var consoleLog = Path.Combine(factory.DataDirectory, "servers", $"{id}", "console.log");
            File.Delete(consoleLog);
            File.CreateSymbolicLink(consoleLog, temp.Combine("shadow"));
            var download = await admin.GetAsync($"/api/v1/servers/{id}/logs/download");
            Assert.Equal(HttpStatusCode.Conflict, download.StatusCode);
            Assert.DoesNotContain(secretText, await download.Content.ReadAsStringAsync());
            await Eventually.ReturnsAsync(
                () => admin.GetFromJsonAsync<List<LogLine>>($"/api/v1/servers/{id}/logs?lines=100", JsonDefaults.Options)!,
                l => l!.Any(x => x.Text.Contains("not following console")), TimeSpan.FromSeconds(30), "the console.log refusal");

            var all = await admin.GetStringAsync($"/api/v1/servers/{id}/logs?lines=10000");
            Assert.DoesNotContain(secretText, all);
            lock (streamed)
            {
                Assert.DoesNotContain(streamed, t => t.Contains(secretText));
            }
        }
        finally
        {
            await streamStop.CancelAsync();
            await admin.PostAsync($"/api/v1/servers/{id}/kill", null);
            try
            {
                await reading;
            }
            catch (Exception ex) when (ex is OperationCanceledException or HubErrorException or JsonException)
            {
            }
        }
    }

    [Fact]
    public async Task A_dangling_console_log_symlink_does_not_create_its_target()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var model = ServerRequests.Valid($"dangling-{Guid.NewGuid():N}"[..20]);
        model.Command = ["/bin/sh", "-c", "echo hi; exec sleep 1000"];
        model.RunAsUser = UnixAccounts.GameUser;
        model.WorkingDirectory = "";
        model.LogFiles = [];
        model.ReadyPattern = null;
        var id = (await (await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!.Id!.Value;
        var serverDirectory = Path.Combine(factory.DataDirectory, "servers", $"{id}");
        Directory.CreateDirectory(serverDirectory);
        var target = temp.Combine("etc-cron.d-evil");
        File.CreateSymbolicLink(Path.Combine(serverDirectory, "console.log"), target);

        var start = await admin.PostAsync($"/api/v1/servers/{id}/start", null);
        try
        {
            // Either the start-time rotation renamed the link aside (the daemon then gets a fresh regular file), or the
            // launcher refused it: never does root write through it.
            Assert.Contains(start.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict });
            Assert.False(File.Exists(target), "root created the link's target");
            var consoleLog = new FileInfo(Path.Combine(serverDirectory, "console.log"));
            Assert.True(!consoleLog.Exists || consoleLog.LinkTarget is null);
        }
        finally
        {
            await admin.PostAsync($"/api/v1/servers/{id}/kill", null);
        }
    }

    [Fact]
    public async Task The_launcher_refuses_a_console_log_symlink_instead_of_creating_its_target()
    {
        var target = temp.Combine("created-by-root");
        Directory.CreateDirectory(temp.Combine("server"));
        File.CreateSymbolicLink(temp.Combine("server", "console.log"), target);
        var launcher = factory.Services.GetRequiredService<ServerDashboard.Processes.DaemonLauncher>();
        var spec = new ServerDashboard.Processes.DaemonSpec(["/bin/true"], temp.Combine("server"), new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" },
            temp.Combine("server", "console.log"), temp.Combine("server", "stdin"), new ServerDashboard.Processes.ResourceLimits(), UnixAccounts.GameUser);

        var error = await Assert.ThrowsAsync<ServerDashboard.Processes.DaemonLaunchException>(() => launcher.LaunchAsync(spec, CancellationToken.None));

        Assert.Contains("symbolic link", error.Message);
        Assert.False(File.Exists(target), "root created the link's target");
    }

    [Fact]
    public void Copytruncate_never_truncates_through_a_link()
    {
        var data = new DataDirectory(temp.Combine("data"));
        var planner = new LaunchPlanner(data, new UnixUsers());
        var rotator = new ConsoleLogRotator(planner, Options.Create(new LogOptions { MaxSizeMb = 1, KeepFiles = 3 }), TimeProvider.System,
            NullLogger<ConsoleLogRotator>.Instance);
        Directory.CreateDirectory(planner.ServerDirectory(1));
        var victim = temp.Combine("victim.db");
        File.WriteAllBytes(victim, new byte[2 * 1024 * 1024]);
        File.CreateSymbolicLink(planner.ConsoleLogPath(1), victim);

        Assert.Null(rotator.EnforceSizeCap(1));
        Assert.Throws<ServerDashboard.Processes.UnsafeFileException>(() => ConsoleLogRotator.CopyTruncate(planner.ConsoleLogPath(1), temp.Combine("copy.log")));

        Assert.Equal(2 * 1024 * 1024, new FileInfo(victim).Length);
        Assert.Empty(Directory.GetFiles(planner.ServerDirectory(1), "console.*.log"));
    }

    public void Dispose() => temp.Dispose();
}
