using ServerDashboard.Testing;
using System.Net;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Security;

/// <summary>Finding 2: the RCON password and secret environment values never reach a log sink (the file, the console).</summary>
public sealed class SecretsInLogsTests
{
    [Fact]
    public async Task No_secret_reaches_any_log_sink_after_a_start_a_stop_a_failed_start_and_an_adoption()
    {
        using var data = new TempDirectory();
        using var scratch = new TempDirectory("sd-secrets");
        var rconPassword = $"Rcon-{Guid.NewGuid():N}";
        var envSecret = $"Env-{Guid.NewGuid():N}";
        // Verbose: a secret in a Debug line is still a secret in the log.
        var verbose = new Dictionary<string, string> { ["Serilog__MinimumLevel__Default"] = "Verbose" };
        var key = await DashboardProcess.CreateApiKeyAsync(data.Path);
        var output = new System.Text.StringBuilder();
        int id;
        await using (var first = await DashboardProcess.StartAsync(data.Path, environment: verbose))
        {
            using var api = first.Client(key);
            var model = ServerRequests.Valid("secretive", rcon: true);
            model.Rcon.Password = rconPassword;
            model.Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 10 };
            // No exec: the adopted process must still be the program that was launched (sh), or it is not adopted.
            model.Command = ["/bin/sh", "-c", "echo up; while :; do sleep 1; done", "sh", "--rcon-password={rconPassword}", $"--literal={envSecret}"];
            model.Environment = new() { ["RCON_PASSWORD"] = "{rconPassword}", ["API_TOKEN"] = envSecret };
            model.SecretEnvironmentKeys = ["API_TOKEN"];
            model.WorkingDirectory = "";
            model.LogFiles = [];
            model.ReadyPattern = null;
            model.Port = null;
            model.RestartPolicy = RestartPolicy.No;
            var created = await api.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;

            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
            await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/stop?wait=true", null)).StatusCode);

            // A failed start: the working directory is gone when it starts.
            var failing = model.Clone();
            failing.Name = "secretive-failing";
            failing.Rcon = new RconModel { Enabled = true, Port = FreePort.Next(), Password = rconPassword };
            failing.WorkingDirectory = scratch.Combine("gone");
            Directory.CreateDirectory(failing.WorkingDirectory);
            var failingId = (await (await api.PostAsJsonAsync("/api/v1/servers", failing, JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!.Id!.Value;
            Directory.Delete(failing.WorkingDirectory);
            Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/api/v1/servers/{failingId}/start", null)).StatusCode);

            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
            await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
            await first.KillHardAsync();
            output.Append(first.Output);
        }

        await using (var second = await DashboardProcess.StartAsync(data.Path, environment: verbose))
        {
            using var api = second.Client(key);
            var adopted = await DaemonSurvivalTests.WaitForStateAsync(api, id, ServerState.Running);
            Assert.True(adopted.LoadedFromDisk);
            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/v1/servers/{id}/stop?wait=true", null)).StatusCode);
            output.Append(second.Output);
        }

        var files = string.Join("\n", Directory.GetFiles(Path.Combine(data.Path, "logs")).Select(File.ReadAllText));
        Assert.Contains("Launched daemon pid", files); // the sinks were written to
        Assert.Contains("Launched daemon pid", output.ToString());
        foreach (var sink in new[] { files, output.ToString() })
        {
            Assert.DoesNotContain(rconPassword, sink);
            Assert.DoesNotContain(envSecret, sink);
        }
    }
}
