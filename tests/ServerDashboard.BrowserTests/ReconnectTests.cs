using System.Diagnostics;
using System.Text;
using Microsoft.Playwright;

namespace ServerDashboard.BrowserTests;

/// <summary>
/// .NET 10's reconnect UI against a real restart: the dashboard executable is killed and started again on the same port
/// and data directory; the open page shows the reconnect dialog, then recovers by itself, still logged in.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReconnectTests(BrowserFixture fixture) : IAsyncLifetime
{
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("sd-reconnect-").FullName;
    private readonly int port = BrowserFixture.FreePort();
    private readonly StringBuilder output = new();
    private Process? dashboard;

    public Task InitializeAsync() => StartDashboardAsync();

    [Fact]
    public async Task After_a_dashboard_restart_the_page_shows_the_reconnect_dialog_and_recovers_by_itself_still_logged_in()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = $"http://127.0.0.1:{port}", ViewportSize = new() { Width = 1440, Height = 900 } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await Artifacts.OnFailureAsync(page, nameof(After_a_dashboard_restart_the_page_shows_the_reconnect_dialog_and_recovers_by_itself_still_logged_in), async () =>
        {
            await BrowserFixture.GotoLoginAsync(page);
            await page.FillAsync("#username", "admin");
            await page.FillAsync("#password", BrowserFixture.AdminPassword);
            await page.ClickAsync("[data-testid=login-submit]");
            await BrowserFixture.WaitForCircuitAsync(page);
            await page.GotoAsync("/settings");
            await BrowserFixture.WaitForCircuitAsync(page);
            await page.EvaluateAsync("() => { window.__beforeRestart = true; }");
            var modal = page.Locator("#components-reconnect-modal");
            await Assertions.Expect(modal).ToBeHiddenAsync();

            await KillDashboardAsync();

            await Assertions.Expect(modal).ToBeVisibleAsync(new() { Timeout = 30_000 });
            Assert.True(await modal.EvaluateAsync<bool>("m => m.open"));
            await Assertions.Expect(modal).ToContainTextAsync("Connection to the dashboard lost");

            await StartDashboardAsync();

            // Recovered: either the circuit resumed (same document) or the page reloaded itself (a new document); no click.
            await page.WaitForFunctionAsync(
                "() => { const m = document.getElementById('components-reconnect-modal'); return (!m || !m.open) && document.getElementById('circuit-ready') && document.readyState === 'complete'; }",
                null, new() { Timeout = 60_000 });
            await BrowserFixture.WaitForCircuitAsync(page);
            Assert.EndsWith("/settings", new Uri(page.Url).AbsolutePath);
            Assert.Equal("Settings", (await page.Locator("h1").InnerTextAsync()).Trim());
            Assert.Contains("admin", await page.Locator("[data-testid=current-user]").InnerTextAsync());

            // And it is live again: a click goes over the new circuit.
            await page.ClickAsync("[data-testid=theme-dark]");
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        });
        await context.CloseAsync();
    }

    private async Task StartDashboardAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "ServerDashboard"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in new[] { "--data-dir", dataDirectory, "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Dashboard__Admin__InitialPassword"] = BrowserFixture.AdminPassword;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        dashboard = Process.Start(start)!;
        dashboard.OutputDataReceived += (_, e) => Append(e.Data);
        dashboard.ErrorDataReceived += (_, e) => Append(e.Data);
        dashboard.BeginOutputReadLine();
        dashboard.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(dashboard.HasExited, $"the dashboard exited with {(dashboard.HasExited ? dashboard.ExitCode : 0)}:\n{Output}");
            try
            {
                if ((await client.GetAsync("/api/v1/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The dashboard did not become healthy within 60 s:\n" + Output);
    }

    /// <summary>SIGKILL, as a crash or an OOM kill would: the browser's connection drops without a goodbye.</summary>
    private async Task KillDashboardAsync()
    {
        dashboard!.Kill(entireProcessTree: false);
        await dashboard.WaitForExitAsync();
        dashboard.Dispose();
        dashboard = null;
    }

    private string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (dashboard is { HasExited: false })
        {
            await KillDashboardAsync();
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
