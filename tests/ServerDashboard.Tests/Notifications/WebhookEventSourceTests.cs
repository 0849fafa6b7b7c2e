using System.Net;
using ServerDashboard.Api;
using ServerDashboard.Notifications;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;
using static ServerDashboard.Tests.Notifications.WebhookHarness;

namespace ServerDashboard.Tests.Notifications;

/// <summary>Real events from real parts: a SampleGameServer that crashes, a job that fails.</summary>
public sealed class WebhookEventSourceTests
{
    [Fact]
    public async Task A_real_crash_of_a_sample_server_is_delivered_as_server_crash_with_its_exit_code_and_last_lines_in_order_with_its_state_changes()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var factory = Create();
        var admin = await AdminAsync(factory);
        await RegisterAsync(admin, receiver.Url, [WebhookEvents.ServerState, WebhookEvents.ServerCrash]);
        var created = await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.SampleGameServer("webhook-crasher"), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        int id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        await Eventually.ReturnsAsync(() => admin.GetFromJsonAsync<ServerStatus>($"/api/v1/servers/{id}/status", JsonDefaults.Options),
            s => s!.State == ServerState.Running, WaitLimit, "Running");

        await using (var fifo = new FileStream(Path.Combine(factory.DataDirectory, "run", $"{id}.stdin"), FileMode.Open, FileAccess.Write))
        {
            await fifo.WriteAsync("crash 3\n"u8.ToArray());
        }

        await WaitAsync(() => receiver.Delivered.Any(r => r.Event == WebhookEvents.ServerCrash)
            && receiver.Delivered.Any(r => r.Event == WebhookEvents.ServerState && r.Json.GetProperty("data").GetProperty("to").GetString() == "Crashed"), "the server.crash and Crashed deliveries");
        var crash = receiver.Delivered.Single(r => r.Event == WebhookEvents.ServerCrash).Json;
        Assert.Equal(id, crash.GetProperty("server").GetProperty("id").GetInt32());
        Assert.Equal("webhook-crasher", crash.GetProperty("server").GetProperty("name").GetString());
        var data = crash.GetProperty("data");
        Assert.Equal(3, data.GetProperty("exitCode").GetInt32());
        Assert.Equal("Crash", data.GetProperty("classification").GetString());
        Assert.Contains(data.GetProperty("lastLines").EnumerateArray(), l => l.GetString()!.Contains("Simulated crash, exiting with code 3"));

        // One server's events arrive in the order they happened: the supervisor stores the crash record, then moves to Crashed.
        var events = receiver.Delivered.Select(r => r.Event == WebhookEvents.ServerState ? r.Json.GetProperty("data").GetProperty("to").GetString() : r.Event).ToList();
        Assert.Equal(["Starting", "Running", WebhookEvents.ServerCrash, "Crashed"], events.Where(e => e is "Starting" or "Running" or "Crashed" || e == WebhookEvents.ServerCrash));
        var crashed = receiver.Delivered.First(r => r.Event == WebhookEvents.ServerState && r.Json.GetProperty("data").GetProperty("to").GetString() == "Crashed").Json;
        Assert.Equal("Running", crashed.GetProperty("data").GetProperty("from").GetString());
        Assert.Equal(3, crashed.GetProperty("data").GetProperty("exit").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_job_that_fails_is_delivered_as_job_finished_and_a_backup_as_backup_finished()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var factory = Create();
        var admin = await AdminAsync(factory);
        await RegisterAsync(admin, receiver.Url, [WebhookEvents.JobFinished, WebhookEvents.BackupFinished]);

        var started = await admin.PostAsJsonAsync("/api/v1/jobs", new { name = "webhook-job", command = new[] { "sh", "-c", "echo working; exit 4" } });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        await WaitAsync(() => receiver.Delivered.Any(r => r.Event == WebhookEvents.JobFinished), "the job.finished delivery");
        var job = receiver.Delivered.First(r => r.Event == WebhookEvents.JobFinished).Json.GetProperty("data");
        Assert.Equal("webhook-job", job.GetProperty("name").GetString());
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Equal(4, job.GetProperty("exitCode").GetInt32());

        var server = ServerRequests.SampleGameServer("webhook-backup");
        server.WorkingDirectory = Path.Combine(factory.DataDirectory, "backup-source");
        Directory.CreateDirectory(server.WorkingDirectory);
        await File.WriteAllTextAsync(Path.Combine(server.WorkingDirectory, "world.dat"), "blocks");
        var created = await admin.PostAsJsonAsync("/api/v1/servers", server, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        int id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        var backup = await admin.PostAsync($"/api/v1/servers/{id}/backups", null);
        Assert.True(backup.IsSuccessStatusCode, await backup.Content.ReadAsStringAsync());
        await WaitAsync(() => receiver.Delivered.Any(r => r.Event == WebhookEvents.BackupFinished), "the backup.finished delivery");
        var done = receiver.Delivered.First(r => r.Event == WebhookEvents.BackupFinished).Json;
        Assert.Equal(id, done.GetProperty("server").GetProperty("id").GetInt32());
        Assert.True(done.GetProperty("data").GetProperty("status").GetString() == "done", done.ToString());
        Assert.EndsWith(".tar.gz", done.GetProperty("data").GetProperty("backup").GetProperty("fileName").GetString());
    }
}
