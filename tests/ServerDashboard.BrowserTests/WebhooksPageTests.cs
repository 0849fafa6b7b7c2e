using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ServerDashboard.Notifications;

namespace ServerDashboard.BrowserTests;

/// <summary>The Webhooks page in a real browser, delivering to a real receiver on 127.0.0.1.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebhooksPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_adds_a_webhook_sends_a_test_sees_the_refusal_and_resends_it_successfully()
    {
        int port = ServerDashboard.Testing.FreePort.Next();
        var received = new ConcurrentQueue<string>();
        int answer = 500;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        receiver.MapPost("/browser-hook", (HttpContext http) =>
        {
            received.Enqueue(http.Request.Headers[WebhookSender.DeliveryHeader].ToString());
            return Results.StatusCode(Volatile.Read(ref answer));
        });
        await receiver.StartAsync();

        var page = await fixture.LoggedInPageAsync();
        await Artifacts.OnFailureAsync(page, nameof(An_admin_adds_a_webhook_sends_a_test_sees_the_refusal_and_resends_it_successfully), async () =>
        {
            await page.GotoAsync("/webhooks");
            await BrowserFixture.WaitForCircuitAsync(page);
            await Assertions.Expect(page.Locator("[data-testid=webhooks-page][data-ready=true]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("nav a[href=webhooks]")).ToBeVisibleAsync();

            await page.Locator("[data-testid=add-webhook]").ClickAsync();
            await page.Locator("input[data-testid=webhook-url]").FillAsync($"http://127.0.0.1:{port}/browser-hook");
            await page.Locator("input[data-testid=webhook-secret]").FillAsync("browser-secret");
            await page.GetByLabel("server.crash").CheckAsync();
            await page.Locator("[data-testid=webhook-save]").ClickAsync();

            var row = page.Locator("[data-testid=webhook-row]", new() { HasText = $"127.0.0.1:{port}/browser-hook" });
            await Assertions.Expect(row).ToContainTextAsync("server.crash");
            await Assertions.Expect(row.Locator("[data-testid=webhook-secret-state]")).ToHaveTextAsync("set");
            await Assertions.Expect(page.Locator("body")).Not.ToContainTextAsync("browser-secret");

            await row.Locator("[data-testid=test-webhook]").ClickAsync();
            var first = page.Locator("[data-testid=delivery-row]").First;
            await Assertions.Expect(first).ToHaveAttributeAsync("data-status", "Failed", new() { Timeout = 20_000 });
            await Assertions.Expect(first.Locator("[data-testid=delivery-codes]")).ToHaveTextAsync("500, 500, 500");

            Volatile.Write(ref answer, 200);
            await first.Locator("[data-testid=resend]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=delivery-row]")).ToHaveCountAsync(2);
            // The queue sends it; the open log follows on its own.
            await Assertions.Expect(page.Locator("[data-testid=delivery-row]").First).ToHaveAttributeAsync("data-status", "Delivered", new() { Timeout = 20_000 });
            await Assertions.Expect(page.Locator("[data-testid=delivery-row]").First.Locator("[data-testid=delivery-codes]")).ToHaveTextAsync("200");
        });

        Assert.Equal(4, received.Count); // three refused requests of the test, one resend
        Assert.Single(received.Take(3).Distinct()); // the refused test's requests share one delivery id
        Assert.NotEqual(received.First(), received.Last()); // a resend is a new delivery
    }
}
