using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace ServerDashboard.BrowserTests;

/// <summary>The Ports page: look a port up, free a leftover listener through the confirmation dialog, see the port free.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PortsPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_looks_up_a_port_frees_the_leftover_holding_it_with_the_dialog_and_sees_it_free()
    {
        // A leftover: a foreign process (Debian's python3) that ignores SIGTERM and holds a TCP port.
        using var leftover = Process.Start(new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList =
            {
                "-c",
                "import signal, socket, time\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen()\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(1000)",
            },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            int port = int.Parse((await leftover.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
            var page = await fixture.LoggedInPageAsync();
            await Artifacts.OnFailureAsync(page, nameof(An_admin_looks_up_a_port_frees_the_leftover_holding_it_with_the_dialog_and_sees_it_free), async () =>
            {
                await page.GotoAsync("/ports");
                await BrowserFixture.WaitForCircuitAsync(page);

                await page.Locator("input[data-testid=port-lookup-input]").FillAsync(port.ToString(CultureInfo.InvariantCulture));
                await page.ClickAsync("[data-testid=port-lookup-button]");
                var owner = page.Locator($"[data-testid=port-owner-{leftover.Id}]");
                await Assertions.Expect(owner).ToBeVisibleAsync();
                await Assertions.Expect(owner).ToContainTextAsync("python3");

                await page.ClickAsync("[data-testid=port-free]");
                var message = page.Locator("[data-testid=confirm-message]");
                await Assertions.Expect(message).ToContainTextAsync($"pid {leftover.Id} (python3");
                await page.ClickAsync("[data-testid=confirm-ok]");

                // SIGTERM is ignored: freed by SIGKILL after the 5 s grace.
                await Assertions.Expect(page.Locator("[data-testid=port-lookup-status]")).ToContainTextAsync($"Port {port}/tcp is free", new() { Timeout = 20_000 });
                await Assertions.Expect(page.Locator("[data-testid=port-lookup-result]")).ToHaveAttributeAsync("data-in-use", "false");
                Assert.True(leftover.WaitForExit(5000));
            });
        }
        finally
        {
            if (!leftover.HasExited)
            {
                leftover.Kill();
            }
        }
    }
}
