using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Jobs;
using ServerDashboard.Tests.Hubs;
using ServerDashboard.Tests.Infrastructure;

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

    [Fact]
    public async Task SubscribeJobLog_gives_the_console_the_backlog_then_live_lines_in_order_with_ANSI_colours_kept()
    {
        var service = fixture.Factory.Services.GetRequiredService<JobService>();
        string go = Path.Combine(Path.GetTempPath(), $"sd-hublog-{Guid.NewGuid():N}");
        await using var client = await fixture.ConnectWithAccessTokenAsync(await fixture.CreateApiKeyAsync(Roles.Viewer));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await service.StartAdhocAsync("hublog", ["sh", "-c", $"printf 'early 1\\n\\033[31mred\\033[0m\\n'; while [ ! -e {go} ]; do sleep 0.05; done; echo late"], null, AuditActor.System, CancellationToken.None);
        await Eventually.TrueAsync(() => (File.Exists(fixture.Factory.Services.GetRequiredService<JobRunner>().Files.LogPath("hublog"))
            && File.ReadAllText(fixture.Factory.Services.GetRequiredService<JobRunner>().Files.LogPath("hublog")).Contains("red", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the job's first lines");

        await using var batches = client.StreamAsync("SubscribeJobLog", ["hublog", null], cts.Token).GetAsyncEnumerator(cts.Token);
        var lines = new List<(long Seq, string Text)>();
        async Task ReadUntilAsync(string text)
        {
            while (!lines.Any(l => l.Text == text))
            {
                Assert.True(await batches.MoveNextAsync());
                lines.AddRange(batches.Current.EnumerateArray().Select(l => (l.GetProperty("seq").GetInt64(), l.GetProperty("text").GetString()!)));
            }
        }

        await ReadUntilAsync("\u001b[31mred\u001b[0m");
        await File.WriteAllTextAsync(go, "");
        await ReadUntilAsync("late");
        Assert.Equal(["early 1", "\u001b[31mred\u001b[0m", "late"], lines.Select(l => l.Text).Where(t => !t.StartsWith("##", StringComparison.Ordinal)));
        Assert.Equal(lines.Select(l => l.Seq).Order(), lines.Select(l => l.Seq)); // in order, each once
        Assert.Equal(lines.Count, lines.Select(l => l.Seq).Distinct().Count());

        // After the end the same log is still there for a console opened late, from its last seq on nothing is repeated.
        await Eventually.TrueAsync(() => fixture.Factory.Services.GetRequiredService<JobRunner>().Find("hublog")?.Status == JobStates.Succeeded, TimeSpan.FromSeconds(10), "the job to end");
        await using var again = client.StreamAsync("SubscribeJobLog", ["hublog", null], cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await again.MoveNextAsync());
        Assert.Contains("late", again.Current.EnumerateArray().Select(l => l.GetProperty("text").GetString()));
        File.Delete(go);
    }

    [Fact]
    public async Task SubscribeJobLog_of_an_unknown_job_says_so()
    {
        await using var client = await fixture.ConnectWithAccessTokenAsync(await fixture.CreateApiKeyAsync(Roles.Viewer));
        var error = await Assert.ThrowsAsync<HubErrorException>(async () =>
        {
            await foreach (var _ in client.StreamAsync("SubscribeJobLog", ["no-such-job", null], CancellationToken.None))
            {
            }
        });
        Assert.Contains("No job named 'no-such-job'", error.Message);
    }
}
