using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServerDashboard.Data;
using ServerDashboard.Notifications;
using ServerDashboard.Tests.Infrastructure;
using static ServerDashboard.Tests.Notifications.WebhookHarness;

namespace ServerDashboard.Tests.Notifications;

/// <summary>The real dashboard delivering to a real receiver on 127.0.0.1: signature, retries, order, restarts.</summary>
public sealed class WebhookDeliveryTests
{
    [Fact]
    public async Task A_test_delivery_is_signed_with_the_secret_and_carries_the_event_and_delivery_headers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var factory = Create();
        var admin = await AdminAsync(factory);
        var signed = await RegisterAsync(admin, receiver.Url, secret: "s3cret-for-hmac");
        var unsigned = await RegisterAsync(admin, receiver.Url);

        var response = await admin.PostAsync($"/api/v1/webhooks/{signed.Id}/test", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = (await response.ReadJsonAsync<WebhookDeliveryView>())!;
        Assert.Equal(WebhookDeliveryStatus.Delivered, sent.Status);
        Assert.Equal(200, sent.LastStatusCode);
        Assert.Equal([200], sent.StatusCodes);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(WebhookEvents.Test, request.Event);
        Assert.Equal(sent.DeliveryId, request.DeliveryId);
        Assert.StartsWith("application/json", request.ContentType);
        // What a receiver does, written out without our helper: HMAC-SHA256 of the raw body, hex, "sha256=" prefix.
        string expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("s3cret-for-hmac"), request.Body));
        Assert.Equal(expected, request.Signature);
        Assert.True(WebhookSignature.Verify(request.Body, "s3cret-for-hmac", request.Signature));
        Assert.False(WebhookSignature.Verify(request.Body, "another-secret", request.Signature));
        Assert.False(WebhookSignature.Verify([.. request.Body, (byte)' '], "s3cret-for-hmac", request.Signature));
        Assert.Equal("webhook.test", request.Json.GetProperty("event").GetString());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/webhooks/{unsigned.Id}/test", null)).StatusCode);
        Assert.Null(receiver.Requests.Last().Signature);
        var log = await DeliveriesAsync(admin, signed.Id);
        Assert.Equal(sent.DeliveryId, Assert.Single(log).DeliveryId);
    }

    [Fact]
    public async Task A_delivery_answered_500_is_retried_with_the_same_delivery_id_until_it_succeeds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        int failures = 4;
        receiver.Answer = _ => Interlocked.Decrement(ref failures) >= 0 ? 500 : 200;
        using var factory = Create(); // 2 quick retries per round: round 1 gets 500 ×3, round 2 (1 s later) 500 then 200
        var admin = await AdminAsync(factory);
        var hook = await RegisterAsync(admin, receiver.Url + "/t0ken-in-path", [WebhookEvents.ServerState], secret: "retry-secret");

        PublishState(factory, 7, "retried");
        await WaitAsync(() => receiver.Delivered.Count == 1, "the delivery to succeed");

        Assert.Equal([500, 500, 500, 500, 200], receiver.Requests.Select(r => r.AnsweredWith));
        Assert.Single(receiver.Requests.Select(r => r.DeliveryId).Distinct());
        Assert.Single(receiver.Requests.Select(r => r.Text).Distinct()); // the same bytes every time
        Assert.All(receiver.Requests, r => Assert.True(WebhookSignature.Verify(r.Body, "retry-secret", r.Signature)));
        var entry = await WaitAsync(async () => Assert.Single(await DeliveriesAsync(admin, hook.Id)), d => d.Status == WebhookDeliveryStatus.Delivered, "the log to say Delivered");
        Assert.Equal(receiver.Requests.First().DeliveryId, entry.DeliveryId);
        Assert.Equal([500, 500, 500, 500, 200], entry.StatusCodes);
        Assert.Equal(5, entry.Attempts);
        Assert.Equal(200, entry.LastStatusCode);
        Assert.Equal(WebhookEvents.ServerState, entry.Event);
        Assert.Equal(7, entry.ServerId);

        // The refusals were logged, naming the receiver by host and port only: never the path (a token) or the secret.
        string logs = string.Join("\n", Directory.GetFiles(Path.Combine(factory.DataDirectory, "logs")).Select(f =>
        {
            using var reader = new StreamReader(new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            return reader.ReadToEnd();
        }));
        Assert.Contains($"http://127.0.0.1:{receiver.Port}/…: HTTP 500", logs);
        Assert.DoesNotContain("t0ken-in-path", logs);
        Assert.DoesNotContain("retry-secret", logs);
    }

    [Fact]
    public async Task One_servers_events_arrive_in_order_and_a_failing_one_does_not_hold_up_another_server()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        int firstFails = 6;
        receiver.Answer = r => Tag(r) == "s1-first" && Interlocked.Decrement(ref firstFails) >= 0 ? 503 : 200;
        using var factory = Create(quickRetries: 1);
        var admin = await AdminAsync(factory);
        await RegisterAsync(admin, receiver.Url);

        PublishState(factory, 1, "s1-first");
        PublishState(factory, 1, "s1-second");
        PublishState(factory, 1, "s1-third");
        PublishState(factory, 2, "s2-first");
        await WaitAsync(() => receiver.Delivered.Count == 4, "all four deliveries");

        var tags = receiver.Requests.Select(r => (Tag: Tag(r)!, r.AnsweredWith)).ToList();
        int firstDelivered = tags.FindIndex(t => t is { Tag: "s1-first", AnsweredWith: 200 });
        Assert.True(tags.FindIndex(t => t.Tag == "s1-second") > firstDelivered, string.Join(", ", tags));
        Assert.True(tags.FindIndex(t => t.Tag == "s1-third") > tags.FindIndex(t => t.Tag == "s1-second"), string.Join(", ", tags));
        // Server 2's event went through while server 1's first one was still being refused.
        Assert.True(tags.FindIndex(t => t.Tag == "s2-first") < firstDelivered, string.Join(", ", tags));
        Assert.Equal(["s1-first", "s1-second", "s1-third"], receiver.Delivered.Select(Tag).Where(t => t!.StartsWith("s1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Queued_deliveries_survive_a_dashboard_restart_and_arrive_in_order_with_their_ids()
    {
        using var data = new TempDirectory("sd-webhooks");
        int port = ServerDashboard.Testing.FreePort.Next(); // nothing listens here until after the restart
        string url = $"http://127.0.0.1:{port}/hook";
        IReadOnlyList<WebhookDeliveryView> queued;
        int hookId;
        using (var first = Create(data.Path))
        {
            var admin = await AdminAsync(first);
            hookId = (await RegisterAsync(admin, url, [WebhookEvents.ServerState], secret: "kept-across-restarts")).Id;
            PublishState(first, 5, "before-restart-1");
            PublishState(first, 5, "before-restart-2");
            queued = await WaitAsync(() => DeliveriesAsync(admin, hookId), l => l.Count == 2 && l.Any(d => d.Attempts > 0), "a failed round");
            Assert.All(queued, d => Assert.Equal(WebhookDeliveryStatus.Pending, d.Status));
            Assert.Contains(queued, d => d.StatusCodes.Contains(0)); // no response: connection refused
            PublishState(first, 5, "at-shutdown"); // still in memory when the dashboard stops: stored on the way out
        }

        await using var receiver = await WebhookReceiver.StartAsync(port);
        using var second = Create(data.Path);
        var admin2 = await AdminAsync(second);
        await WaitAsync(() => receiver.Delivered.Count == 3, "the queued deliveries after the restart");

        Assert.Equal(["before-restart-1", "before-restart-2", "at-shutdown"], receiver.Delivered.Select(Tag));
        Assert.Equal(queued.OrderBy(d => d.Id).Select(d => d.DeliveryId), receiver.Delivered.Take(2).Select(r => r.DeliveryId));
        Assert.All(receiver.Delivered, r => Assert.True(WebhookSignature.Verify(r.Body, "kept-across-restarts", r.Signature))); // the secret survived too
        var log = await WaitAsync(() => DeliveriesAsync(admin2, hookId), l => l.All(d => d.Status == WebhookDeliveryStatus.Delivered), "the log to say Delivered");
        Assert.Equal(3, log.Count);
    }

    [Fact]
    public async Task A_failed_delivery_can_be_resent_under_a_new_id_that_names_the_original()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => 404; // a permanent refusal: not retried
        using var factory = Create();
        var admin = await AdminAsync(factory);
        var hook = await RegisterAsync(admin, receiver.Url);
        PublishState(factory, 3, "refused");
        var failed = await WaitAsync(async () => (await DeliveriesAsync(admin, hook.Id)).FirstOrDefault(), d => d?.Status == WebhookDeliveryStatus.Failed, "the delivery to fail");
        Assert.Equal([404], failed!.StatusCodes);
        Assert.Single(receiver.Requests);

        receiver.Answer = _ => 200;
        var resend = await admin.PostAsync($"/api/v1/webhooks/{hook.Id}/deliveries/{failed.DeliveryId}/resend", null);
        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        var copy = (await resend.ReadJsonAsync<WebhookDeliveryView>())!;
        Assert.Equal(failed.DeliveryId, copy.ResendOf);
        Assert.NotEqual(failed.DeliveryId, copy.DeliveryId);
        await WaitAsync(() => receiver.Delivered.Count == 1, "the resent delivery");
        Assert.Equal(copy.DeliveryId, receiver.Delivered[0].DeliveryId);
        Assert.Equal(receiver.Requests.First().Text, receiver.Delivered[0].Text);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/webhooks/{hook.Id}/deliveries/{Guid.NewGuid()}/resend", null)).StatusCode);
    }

    [Fact]
    public async Task A_discord_webhook_gets_an_embed_within_discords_limits_with_the_crash_tail()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var factory = Create();
        var admin = await AdminAsync(factory);
        await RegisterAsync(admin, receiver.Url, [WebhookEvents.ServerCrash], format: "Discord");
        var lines = Enumerable.Range(1, 300).Select(i => $"line {i:000} " + new string('x', 90)).ToList();
        var crash = new CrashRecord
        {
            Id = 11, ServerId = 9, At = DateTimeOffset.UtcNow, ExitCode = 3, Classification = ServerDashboard.Servers.CrashClassification.Crash,
            Description = "exited with code 3 after 12 s", UptimeSeconds = 12, LastLines = lines,
        };
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<NotificationQueue>(factory.Services)
            .Publish(NotificationEventFactory.Crashed(crash));
        await WaitAsync(() => receiver.Delivered.Count == 1, "the Discord delivery");

        var body = receiver.Delivered[0].Json;
        Assert.Equal(WebhookEvents.ServerCrash, receiver.Delivered[0].Event);
        Assert.True(body.GetProperty("content").GetString()!.Length <= 2000);
        var embed = Assert.Single(body.GetProperty("embeds").EnumerateArray());
        string title = embed.GetProperty("title").GetString()!, description = embed.GetProperty("description").GetString()!;
        Assert.Equal("Server crashed", title);
        Assert.InRange(description.Length, 1000, 4096);
        Assert.StartsWith("exited with code 3 after 12 s", description);
        Assert.EndsWith(lines[^1] + "\n```", description); // cut at the front: the last lines matter most
        Assert.Equal(JsonValueKind.Number, embed.GetProperty("color").ValueKind);
        Assert.Equal(WebhookPayloads.ColorOf(EventTone.Bad), embed.GetProperty("color").GetInt32());
        Assert.True(DateTimeOffset.TryParse(embed.GetProperty("timestamp").GetString(), out _));
        var fields = embed.GetProperty("fields").EnumerateArray().ToList();
        Assert.InRange(fields.Count, 1, 25);
        Assert.Contains(fields, f => f.GetProperty("name").GetString() == "Exit code" && f.GetProperty("value").GetString() == "3");
        Assert.All(fields, f => Assert.True(f.GetProperty("name").GetString()!.Length <= 256 && f.GetProperty("value").GetString()!.Length <= 1024));
        int total = title.Length + description.Length + embed.GetProperty("footer").GetProperty("text").GetString()!.Length
                    + fields.Sum(f => f.GetProperty("name").GetString()!.Length + f.GetProperty("value").GetString()!.Length);
        Assert.True(total <= 6000, $"embed total {total}");
        Assert.Equal(0, body.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength());
    }
}
