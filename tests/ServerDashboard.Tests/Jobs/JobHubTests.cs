using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Jobs;
using ServerDashboard.Tests.Hubs;

namespace ServerDashboard.Tests.Jobs;

/// <summary>The hub streams job status and log lines, as it does for servers.</summary>
public sealed class JobHubTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task SubscribeJobs_streams_a_job_s_progress_its_log_lines_and_its_end()
    {
        var service = fixture.Factory.Services.GetRequiredService<JobService>();
        string go = Path.Combine(Path.GetTempPath(), $"sd-hubjob-{Guid.NewGuid():N}");
        await using var client = await fixture.ConnectWithAccessTokenAsync(await fixture.CreateApiKeyAsync(Roles.Viewer));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var items = client.StreamAsync("SubscribeJobs", ["hubjob"], cts.Token).GetAsyncEnumerator(cts.Token);

        await service.StartAdhocAsync("hubjob", ["sh", "-c", $"echo hello-hub; echo '##progress 40 halfway'; while [ ! -e {go} ]; do sleep 0.05; done"], null, AuditActor.System, CancellationToken.None);
        var lines = new List<string>();
        double? progress = null;
        while (progress != 40 || !lines.Contains("hello-hub"))
        {
            Assert.True(await items.MoveNextAsync());
            Assert.Equal("hubjob", items.Current.GetProperty("name").GetString());
            lines.AddRange(items.Current.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!));
            if (items.Current.GetProperty("job") is { ValueKind: System.Text.Json.JsonValueKind.Object } job && job.GetProperty("progress").ValueKind == System.Text.Json.JsonValueKind.Number)
            {
                progress = job.GetProperty("progress").GetDouble();
                Assert.Equal("halfway", job.GetProperty("currentTask").GetString());
            }
        }

        await File.WriteAllTextAsync(go, "");
        string? status = null;
        while (status is null)
        {
            Assert.True(await items.MoveNextAsync());
            if (items.Current.GetProperty("finished").GetBoolean())
            {
                status = items.Current.GetProperty("job").GetProperty("status").GetString();
            }
        }

        Assert.Equal(JobStates.Succeeded, status);
        File.Delete(go);
    }
}
