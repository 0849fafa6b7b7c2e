using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Data;
using ServerDashboard.Notifications;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Notifications;

/// <summary>
/// The queue's backoff on a <see cref="FakeTimeProvider"/>: the real registry, outbox, dispatcher and sender over a real
/// SQLite file, sending to a real receiver; only the clock is driven by the test (no quick retries, so one round is
/// one request).
/// </summary>
public sealed class WebhookQueueTimingTests : IAsyncDisposable
{
    private readonly TempDirectory directory = new("sd-webhook-queue");
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider services;

    public WebhookQueueTimingTests()
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(time);
        collection.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dashboard:Webhooks:QuickRetries"] = "0",
            ["Dashboard:Webhooks:MaxRounds"] = "3",
        }).Build());
        string connection = $"Data Source={directory.Combine("dashboard.db")}";
        collection.AddSqliteStore(connection);
        collection.AddDataProtection().UseEphemeralDataProtectionProvider();
        collection.AddSingleton<AuditLog>();
        collection.AddNotifications();
        services = collection.BuildServiceProvider();
        using var db = services.GetRequiredService<IDbContextFactory<DashboardDbContext>>().CreateDbContext();
        db.Database.Migrate();
    }

    [Fact]
    public async Task A_failed_round_waits_for_its_backoff_on_the_time_provider_which_doubles_until_the_delivery_gives_up()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => 502;
        var hook = (await services.GetRequiredService<WebhookRegistry>().CreateAsync(new WebhookInput(receiver.Url, [], null, null), AuditActor.System, CancellationToken.None)).Webhook!;
        await services.GetRequiredService<WebhookOutbox>().StoreAsync(Event(4), CancellationToken.None);
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();

        Assert.Equal(TimeSpan.Zero, await dispatcher.DeliverDueAsync(CancellationToken.None)); // round 1: sent now
        Assert.Single(receiver.Requests);
        Assert.Equal(TimeSpan.FromSeconds(15), await dispatcher.DeliverDueAsync(CancellationToken.None));

        time.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(TimeSpan.FromSeconds(1), await dispatcher.DeliverDueAsync(CancellationToken.None));
        Assert.Single(receiver.Requests); // not before its time

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, await dispatcher.DeliverDueAsync(CancellationToken.None)); // round 2
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(TimeSpan.FromSeconds(30), await dispatcher.DeliverDueAsync(CancellationToken.None)); // doubled

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.Zero, await dispatcher.DeliverDueAsync(CancellationToken.None)); // round 3 of 3
        Assert.Null(await dispatcher.DeliverDueAsync(CancellationToken.None)); // nothing left to wait for

        var entry = Assert.Single((await services.GetRequiredService<WebhookDeliveryLog>().ListAsync(hook.Id, 10, CancellationToken.None))!);
        Assert.Equal(WebhookDeliveryStatus.Failed, entry.Status);
        Assert.Equal([502, 502, 502], entry.StatusCodes);
        Assert.StartsWith("gave up after 3 rounds", entry.Error);
        Assert.Single(receiver.Requests.Select(r => r.DeliveryId).Distinct());
    }

    [Fact]
    public async Task A_server_whose_head_waits_for_its_backoff_holds_back_its_later_events_but_not_another_servers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        int refusals = 1; // server 1's first event is refused once
        receiver.Answer = r => Seq(r) == 1 && Interlocked.Decrement(ref refusals) >= 0 ? 500 : 200;
        await services.GetRequiredService<WebhookRegistry>().CreateAsync(new WebhookInput(receiver.Url, [], null, null), AuditActor.System, CancellationToken.None);
        var outbox = services.GetRequiredService<WebhookOutbox>();
        await outbox.StoreAsync(Event(1, seq: 1), CancellationToken.None);
        await outbox.StoreAsync(Event(1, seq: 2), CancellationToken.None);
        await outbox.StoreAsync(Event(2, seq: 3), CancellationToken.None);
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();

        await dispatcher.DeliverDueAsync(CancellationToken.None); // server 1's first (refused) and server 2's
        await dispatcher.DeliverDueAsync(CancellationToken.None); // nothing due: server 1's second waits behind its first
        Assert.Equal([1, 3], receiver.Requests.Select(Seq).Order());

        time.Advance(TimeSpan.FromSeconds(15));
        await dispatcher.DeliverDueAsync(CancellationToken.None);
        await dispatcher.DeliverDueAsync(CancellationToken.None);
        Assert.Equal([1, 2], receiver.Delivered.Select(Seq).Where(s => s != 3));
    }

    [Fact]
    public async Task A_batch_of_events_is_stored_in_one_pass_with_delivery_ids_in_event_order_for_every_webhook()
    {
        var registry = services.GetRequiredService<WebhookRegistry>();
        var all = (await registry.CreateAsync(new WebhookInput("http://127.0.0.1:9/all", [], null, null), AuditActor.System, CancellationToken.None)).Webhook!;
        var some = (await registry.CreateAsync(new WebhookInput("http://127.0.0.1:9/some", [WebhookEvents.ServerState], null, null), AuditActor.System, CancellationToken.None)).Webhook!;
        var events = Enumerable.Range(1, 300).Select(seq => Event(seq % 7, seq)).ToList();

        await services.GetRequiredService<WebhookOutbox>().StoreAsync(events, CancellationToken.None);

        await using var db = await services.GetRequiredService<IDbContextFactory<DashboardDbContext>>().CreateDbContextAsync();
        foreach (var hook in new[] { all, some })
        {
            var stored = await db.WebhookDeliveries.Where(d => d.WebhookId == hook.Id).OrderBy(d => d.Id).Select(d => d.Body).ToListAsync();
            Assert.Equal(Enumerable.Range(1, 300), stored.Select(body => JsonNode.Parse(body)!["data"]!["seq"]!.GetValue<int>()));
        }
    }

    private static int Seq(ReceivedRequest r) => r.Json.GetProperty("data").GetProperty("seq").GetInt32();

    private NotificationEvent Event(int serverId, int seq = 0) =>
        new(WebhookEvents.ServerState, serverId, time.GetUtcNow(), "t", "s", EventTone.Info, new JsonObject { ["seq"] = seq }, []);

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        directory.Dispose();
    }
}
