using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

/// <summary>A real process writes numbered lines; the console shows each exactly once, across a dropped connection.</summary>
[Collection(RealLogsBrowserCollection.Name)]
public sealed class RealConsoleTests(RealLogsBrowserFixture fixture)
{
    [Fact]
    public async Task Lines_of_a_real_process_appear_once_each_across_a_reconnect_and_the_download_has_them_all()
    {
        var catalog = fixture.Services.GetRequiredService<ServerCatalog>();
        var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
        var created = await catalog.CreateAsync(new ServerModel
        {
            Name = "counter",
            Command = ["/bin/sh", "-c", "i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo \"line $i\"; sleep 0.02; done; sleep 1000"],
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 2 },
        }, CancellationToken.None);
        var id = created.Server!.Id;
        await supervisor.StartAsync(id, CancellationToken.None);
        var page = await fixture.LoggedInPageAsync();
        try
        {
            await Artifacts.OnFailureAsync(page, nameof(Lines_of_a_real_process_appear_once_each_across_a_reconnect_and_the_download_has_them_all), async () =>
            {
                await page.GotoAsync($"/servers/{id}");
                await BrowserFixture.WaitForCircuitAsync(page);
                await WaitForTextAsync(page, "line 50");

                // Drop the hub connection mid-stream; the console reconnects and resumes after the last Seq it showed.
                await page.EvaluateAsync("() => window.__serverConsole.connection.stop()");
                await WaitForTextAsync(page, "line 400");

                var numbers = (await page.EvaluateAsync<string>("() => window.__serverConsole.text()"))
                    .Split('\n')
                    .Select(l => l.Trim())
                    .Where(l => l.StartsWith("line ", StringComparison.Ordinal))
                    .Select(l => int.Parse(l["line ".Length..]))
                    .ToList();
                Assert.Equal(Enumerable.Range(1, 400), numbers); // every line once, in order: no duplicates, no gaps
                Assert.True(await page.EvaluateAsync<int>("() => window.__serverConsole.subscribeCount()") >= 2, "it subscribed again");

                var download = await page.APIRequest.GetAsync($"/api/v1/servers/{id}/logs/download");
                Assert.Equal(200, download.Status);
                var file = await download.TextAsync();
                Assert.Equal(Enumerable.Range(1, 400).Select(i => $"line {i}"), file.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            });
        }
        finally
        {
            await supervisor.KillAsync(id, CancellationToken.None);
        }
    }

    private static Task WaitForTextAsync(IPage page, string text) =>
        page.WaitForFunctionAsync(
            "t => window.__serverConsole && window.__serverConsole.text().split('\\n').some(l => l.trim() === t)",
            text,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
}
