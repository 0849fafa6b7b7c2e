using ServerDashboard.Testing;
using System.Net;
using ServerDashboard.Api;
using ServerDashboard.Auth;
using ServerDashboard.Jobs;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;
using ServerDashboard.Tests.Hosting;

namespace ServerDashboard.Tests.Jobs;

/// <summary>Backups of a running SampleGameServer in Minecraft RCON style, through the REST API and the detached job.</summary>
public sealed class BackupTests
{
    [Fact]
    public async Task A_backup_sends_the_save_commands_matches_the_directory_keeps_N_and_a_restore_brings_a_deleted_file_back()
    {
        using var factory = new DashboardFactory(settings: new Dictionary<string, string>(DashboardFactory.UnlimitedRates) { ["Dashboard:Jobs:BackupRetention"] = "2" });
        var api = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var model = ServerRequests.SampleGameServer("backup-mc", "--heartbeat-ms", "0", "--rcon-port", "{rconPort}");
        model.Environment = new() { ["RCON_PASSWORD"] = "{rconPassword}" };
        model.Rcon = new RconModel { Enabled = true, Port = FreePort.Next(), Password = "backup-pw-123456" };
        var created = await api.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        int id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;

        string serverDir = ServerPaths.ServerDirectory(factory.DataDirectory, id);
        Directory.CreateDirectory(Path.Combine(serverDir, "world", "region"));
        await File.WriteAllTextAsync(Path.Combine(serverDir, "world", "level.dat"), "level data");
        await File.WriteAllBytesAsync(Path.Combine(serverDir, "world", "region", "r.0.0.mca"), Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray());
        await File.WriteAllTextAsync(Path.Combine(serverDir, "server.properties"), "motd=hello");

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);

        var first = await BackupAsync(api, id);
        var log = await File.ReadAllTextAsync(Path.Combine(serverDir, "console.log"));
        int off = log.IndexOf("[save] save-off", StringComparison.Ordinal);
        int all = log.IndexOf("[save] save-all flush", StringComparison.Ordinal);
        int on = log.IndexOf("[save] save-on", StringComparison.Ordinal);
        Assert.True(off >= 0 && all > off && on > all, "save-off, save-all flush, save-on in that order:\n" + log);
        Assert.Contains("##progress", string.Join('\n', first.Log));

        var listed = await api.GetFromJsonAsync<List<BackupInfo>>($"/api/v1/servers/{id}/backups", JsonDefaults.Options);
        var archive = Assert.Single(listed!);
        Assert.True(archive.SizeBytes > 0);
        using (var extracted = new TempDirectory("sd-backup-check"))
        {
            var download = await api.GetAsync($"/api/v1/servers/{id}/backups/{archive.FileName}");
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            string copy = Path.Combine(extracted.Path, "copy.tar.gz");
            await File.WriteAllBytesAsync(copy, await download.Content.ReadAsByteArrayAsync());
            await BackupArchive.ExtractAsync(copy, extracted.Combine("out"), CancellationToken.None);
            foreach (var relative in new[] { "world/level.dat", "world/region/r.0.0.mca", "server.properties" })
            {
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(serverDir, relative)), await File.ReadAllBytesAsync(extracted.Combine("out", relative)));
            }
        }

        await BackupAsync(api, id);
        await BackupAsync(api, id);
        var kept = await api.GetFromJsonAsync<List<BackupInfo>>($"/api/v1/servers/{id}/backups", JsonDefaults.Options);
        Assert.Equal(2, kept!.Count); // retention 2
        Assert.DoesNotContain(kept, b => b.FileName == archive.FileName); // the oldest went

        var refused = await api.PostAsync($"/api/v1/servers/{id}/backups/{kept[0].FileName}/restore", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode); // the server runs
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/stop", null)).StatusCode);
        await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Stopped);

        File.Delete(Path.Combine(serverDir, "world", "level.dat"));
        var restored = await api.PostAsync($"/api/v1/servers/{id}/backups/{kept[0].FileName}/restore", null);
        Assert.True(restored.StatusCode == HttpStatusCode.Accepted, await restored.Content.ReadAsStringAsync());
        Assert.Equal(BackupJobs.RestoreJobName(id), (await restored.ReadJsonAsync<JobView>())!.Name);
        Assert.Equal($"/api/v1/jobs/{BackupJobs.RestoreJobName(id)}", restored.Headers.Location?.ToString());
        var restore = await WaitForJobAsync(api, BackupJobs.RestoreJobName(id));
        Assert.Contains("##progress 100 done", restore.Log);
        Assert.Equal("level data", await File.ReadAllTextAsync(Path.Combine(serverDir, "world", "level.dat")));
        Assert.Single(Directory.GetDirectories(Path.GetDirectoryName(serverDir)!, Path.GetFileName(serverDir) + ".before-restore-*"));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.DeleteAsync($"/api/v1/servers/{id}/backups/..%2Fevil")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/servers/{id}/backups/{kept[1].FileName}")).StatusCode);
    }

    [Fact]
    public async Task A_stop_first_backup_stops_the_server_archives_the_listed_paths_at_rest_and_starts_it_again()
    {
        using var factory = new DashboardFactory(settings: new Dictionary<string, string>(DashboardFactory.UnlimitedRates));
        var api = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var model = ServerRequests.SampleGameServer("backup-stop-first", "--heartbeat-ms", "0", "--rcon-port", "{rconPort}");
        model.Environment = new() { ["RCON_PASSWORD"] = "{rconPassword}" };
        model.Rcon = new RconModel { Enabled = true, Port = FreePort.Next(), Password = "backup-pw-654321" };
        model.Backup = new BackupModel { Paths = ["world"], StopServer = true };
        var created = await api.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var stored = (await created.ReadJsonAsync<ServerModel>())!;
        Assert.Equal(["world"], stored.Backup.Paths);
        Assert.True(stored.Backup.StopServer);
        int id = stored.Id!.Value;
        string serverDir = ServerPaths.ServerDirectory(factory.DataDirectory, id);
        Directory.CreateDirectory(Path.Combine(serverDir, "world"));
        await File.WriteAllTextAsync(Path.Combine(serverDir, "world", "level.dat"), "level data");
        await File.WriteAllTextAsync(Path.Combine(serverDir, "server.properties"), "motd=hello");
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        var before = await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);

        var started = await api.PostAsync($"/api/v1/servers/{id}/backups", null); // the definition's default: stop first
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var done = await WaitForJobAsync(api, BackupJobs.JobName(id));

        Assert.Contains("The server has stopped.", done.Log);
        var after = await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
        Assert.NotEqual(before.Pid, after.Pid); // started again after the backup
        var log = await File.ReadAllTextAsync(Path.Combine(serverDir, "console.log"));
        Assert.DoesNotContain("[save] save-off", log); // archived at rest: no save commands needed
        var backup = Assert.Single((await api.GetFromJsonAsync<List<BackupInfo>>($"/api/v1/servers/{id}/backups", JsonDefaults.Options))!);
        Assert.Equal(["world"], await BackupArchive.ReadPathsAsync(Path.Combine(factory.DataDirectory, "backups", $"{id}", backup.FileName), CancellationToken.None));

        // A request may override the default: a live backup leaves the server running (and sends the save commands).
        var live = await api.PostAsJsonAsync($"/api/v1/servers/{id}/backups", new { stopServer = false }, JsonDefaults.Options);
        Assert.True(live.StatusCode == HttpStatusCode.Accepted, await live.Content.ReadAsStringAsync());
        await WaitForJobAsync(api, BackupJobs.JobName(id));
        var still = await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
        Assert.Equal(after.Pid, still.Pid);
        Assert.Contains("[save] save-off", await File.ReadAllTextAsync(Path.Combine(serverDir, "console.log")));
        await api.PostAsync($"/api/v1/servers/{id}/kill", null);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("world/../../etc")]
    [InlineData("./world")]
    [InlineData("")]
    public async Task Backup_paths_outside_the_server_directory_are_refused(string path)
    {
        using var factory = new DashboardFactory();
        var api = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var model = ServerRequests.SampleGameServer("bad-backup-path");
        model.Backup = new BackupModel { Paths = ["world", path] };

        var response = await api.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("backup.paths", await response.Content.ReadAsStringAsync());
    }

    private static async Task<JobDetails> WaitForJobAsync(HttpClient api, string name)
    {
        var done = await Eventually.ReturnsAsync(
            async () => await api.GetFromJsonAsync<JobDetails>($"/api/v1/jobs/{name}?logLines=200", JsonDefaults.Options),
            j => j!.Job.Status != JobStates.Running, TimeSpan.FromSeconds(90), $"job {name} to end");
        Assert.True(done!.Job.Status == JobStates.Succeeded, $"{done.Job.Status} {done.Job.Ended}\n{string.Join('\n', done.Log)}");
        Assert.Equal(0, done.Job.ExitCode);
        return done;
    }

    private static async Task<JobDetails> BackupAsync(HttpClient api, int id)
    {
        var started = await api.PostAsync($"/api/v1/servers/{id}/backups", null);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var done = await Eventually.ReturnsAsync(
            async () => await api.GetFromJsonAsync<JobDetails>($"/api/v1/jobs/{BackupJobs.JobName(id)}?logLines=200", JsonDefaults.Options),
            j => j!.Job.Status != JobStates.Running, TimeSpan.FromSeconds(90), "the backup job to end");
        Assert.True(done!.Job.Status == JobStates.Succeeded, $"{done.Job.Status} {done.Job.Ended}\n{string.Join('\n', done.Log)}");
        Assert.Equal(0, done.Job.ExitCode);
        return done;
    }
}
