using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Data;
using ServerDashboard.Notifications;
using ServerDashboard.Tests.Notifications;
using WebhooksPage = ServerDashboard.Components.Pages.Webhooks;

namespace ServerDashboard.Tests.Components.Notifications;

/// <summary>The Webhooks page with the real registry, delivery log and sender over a real SQLite file.</summary>
public sealed class WebhooksPageTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    public WebhooksPageTests()
    {
        // Options bind from configuration: an empty one gives the defaults (5 s timeout, 2 quick retries).
        ctx.Services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        ctx.Services.AddNotifications(); // its hosted services never run here
        ctx.LogInAs("admin", Roles.Admin);
    }

    private WebhookRegistry Registry => ctx.Services.GetRequiredService<WebhookRegistry>();

    [Fact]
    public async Task The_page_lists_webhooks_with_their_events_and_whether_a_secret_is_set_but_never_the_secret()
    {
        await Registry.CreateAsync(new WebhookInput("http://127.0.0.1:9000/bot", ["server.crash"], "do-not-show-me", "json"), AuditActor.System, CancellationToken.None);
        await Registry.CreateAsync(new WebhookInput("https://discord.example/api/webhooks/1/abc", [], null, "discord"), AuditActor.System, CancellationToken.None);

        var cut = ctx.RenderWithProviders<WebhooksPage>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=webhook-row]").Count));
        var rows = cut.FindAll("[data-testid=webhook-row]");
        Assert.Contains("server.crash", rows[0].TextContent);
        Assert.Equal("set", rows[0].QuerySelector("[data-testid=webhook-secret-state]")!.TextContent);
        Assert.Contains("all events", rows[1].TextContent);
        Assert.Equal("none", rows[1].QuerySelector("[data-testid=webhook-secret-state]")!.TextContent);
        Assert.DoesNotContain("do-not-show-me", cut.Markup);
    }

    [Fact]
    public async Task The_add_dialog_shows_a_bad_url_in_place_then_saves_the_url_secret_and_ticked_events()
    {
        var cut = ctx.RenderWithProviders<WebhooksPage>();
        cut.WaitForElement("[data-testid=no-webhooks]");

        cut.Find("[data-testid=add-webhook]").Click();
        cut.WaitForElement("input[data-testid=webhook-url]").Change("ftp://127.0.0.1/hook");
        cut.Find("[data-testid=webhook-save]").Click();
        cut.WaitForAssertion(() => Assert.Contains("http or https, not ftp", cut.Markup));
        Assert.Empty(await Registry.ListAsync(CancellationToken.None));

        cut.Find("input[data-testid=webhook-url]").Change("http://127.0.0.1:8123/hook");
        cut.Find("input[data-testid=webhook-secret]").Change("typed-secret");
        CheckBox(cut, "event-server.crash").Change(true);
        CheckBox(cut, "event-backup.finished").Change(true);
        cut.Find("[data-testid=webhook-save]").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=webhook-row]")));
        var saved = Assert.Single(await Registry.ListAsync(CancellationToken.None));
        Assert.Equal("http://127.0.0.1:8123/hook", saved.Url);
        Assert.Equal(["server.crash", "backup.finished"], saved.Events);
        Assert.True(saved.HasSecret);
        Assert.Empty(cut.FindAll("[data-testid=webhook-dialog]"));
    }

    [Fact]
    public async Task Test_sends_to_a_real_receiver_and_the_deliveries_table_shows_status_codes_and_resend_queues_it_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => 503; // not retried by the queue for a test: shown as failed with each request's code
        var hook = (await Registry.CreateAsync(new WebhookInput(receiver.Url, [], "s", "json"), AuditActor.System, CancellationToken.None)).Webhook!;
        var cut = ctx.RenderWithProviders<WebhooksPage>();

        cut.WaitForElement("[data-testid=test-webhook]").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=delivery-row]")), TimeSpan.FromSeconds(30));
        var row = cut.Find("[data-testid=delivery-row]");
        Assert.Equal(WebhookDeliveryStatus.Failed, row.GetAttribute("data-status"));
        Assert.Equal("503, 503, 503", row.QuerySelector("[data-testid=delivery-codes]")!.TextContent); // the resilience handler's 2 quick retries
        Assert.Equal(3, receiver.Requests.Count);
        Assert.Equal(receiver.Requests.First().DeliveryId, row.GetAttribute("data-delivery"));

        // Found and clicked in one renderer turn: the page's refresh timer may re-render in between otherwise.
        await cut.InvokeAsync(() => cut.Find("[data-testid=delivery-row] [data-testid=resend]").Click());
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=delivery-row]").Count));
        var resent = cut.FindAll("[data-testid=delivery-row]")[0];
        Assert.Equal(WebhookDeliveryStatus.Pending, resent.GetAttribute("data-status"));
        Assert.Contains("resend of", resent.TextContent);
        await using var db = ctx.OpenDb();
        Assert.Equal(2, await db.WebhookDeliveries.CountAsync(d => d.WebhookId == hook.Id));
    }

    /// <summary>The checkbox input of a MudCheckBox, wherever MudBlazor put the test id.</summary>
    private static IElement CheckBox(IRenderedComponent<IComponent> cut, string testId)
    {
        var element = cut.Find($"[data-testid='{testId}']");
        return element.TagName == "INPUT" ? element : element.QuerySelector("input[type=checkbox]")!;
    }

    public void Dispose() => ctx.Dispose();
}
