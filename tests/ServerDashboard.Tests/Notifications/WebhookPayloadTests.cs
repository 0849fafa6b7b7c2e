using System.Text.Json;
using System.Text.Json.Nodes;
using ServerDashboard.Notifications;

namespace ServerDashboard.Tests.Notifications;

/// <summary>Payload builders, signature and URL checks, and the backoff schedule (pure functions).</summary>
public sealed class WebhookPayloadTests
{
    [Fact]
    public void A_discord_message_with_oversized_text_and_too_many_fields_is_cut_to_discords_limits()
    {
        var fields = Enumerable.Range(1, 40).Select(i => ($"field {i} " + new string('n', 300), new string('v', 2000))).ToList();
        var e = new NotificationEvent(WebhookEvents.JobFinished, null, DateTimeOffset.UnixEpoch, new string('T', 400), new string('S', 5000), EventTone.Warning,
            new JsonObject(), fields, "line with ``` fence\nlast line");

        var body = JsonDocument.Parse(WebhookPayloads.Discord(e, null)).RootElement;

        Assert.True(body.GetProperty("content").GetString()!.Length <= WebhookPayloads.DiscordContentMax);
        var embed = body.GetProperty("embeds")[0];
        var title = embed.GetProperty("title").GetString()!;
        var description = embed.GetProperty("description").GetString()!;
        var list = embed.GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(256, title.Length);
        Assert.EndsWith("…", title);
        Assert.True(description.Length <= WebhookPayloads.DiscordDescriptionMax);
        Assert.InRange(list.Count, 1, 25);
        Assert.All(list, f => Assert.True(f.GetProperty("name").GetString()!.Length <= 256 && f.GetProperty("value").GetString()!.Length <= 1024));
        int total = title.Length + description.Length + embed.GetProperty("footer").GetProperty("text").GetString()!.Length
                    + list.Sum(f => f.GetProperty("name").GetString()!.Length + f.GetProperty("value").GetString()!.Length);
        Assert.True(total <= WebhookPayloads.DiscordEmbedTotalMax, $"total {total}");
        Assert.Equal(WebhookPayloads.ColorOf(EventTone.Warning), embed.GetProperty("color").GetInt32());
    }

    [Fact]
    public void A_console_line_cannot_close_the_discord_code_block_early()
    {
        var e = new NotificationEvent(WebhookEvents.ServerCrash, 1, DateTimeOffset.UnixEpoch, "Server crashed", "exit 1", EventTone.Bad, new JsonObject(), [],
            "before\n```\n@everyone after");

        var description = JsonDocument.Parse(WebhookPayloads.Discord(e, "srv")).RootElement.GetProperty("embeds")[0].GetProperty("description").GetString()!;

        Assert.Equal(2, description.Split("```").Length - 1); // only the block's own fences
        Assert.EndsWith("@everyone after\n```", description);
    }

    [Fact]
    public void The_json_format_names_the_event_the_server_and_the_data()
    {
        var e = new NotificationEvent(WebhookEvents.ServerHealth, 3, new DateTimeOffset(2026, 12, 1, 21, 0, 0, TimeSpan.Zero), "Server is unhealthy", "port refused",
            EventTone.Warning, new JsonObject { ["healthy"] = false }, []);

        var body = JsonDocument.Parse(WebhookPayloads.Json(e, "survival")).RootElement;

        Assert.Equal("server.health", body.GetProperty("event").GetString());
        Assert.Equal("2026-12-01T21:00:00.0000000+00:00", body.GetProperty("occurredAt").GetString());
        Assert.Equal(3, body.GetProperty("server").GetProperty("id").GetInt32());
        Assert.Equal("survival", body.GetProperty("server").GetProperty("name").GetString());
        Assert.False(body.GetProperty("data").GetProperty("healthy").GetBoolean());
        var noServer = JsonDocument.Parse(WebhookPayloads.Json(e with { ServerId = null }, null)).RootElement;
        Assert.Equal(JsonValueKind.Null, noServer.GetProperty("server").ValueKind);
    }

    [Fact]
    public void The_signature_is_the_hmac_sha256_of_the_body_in_hex()
    {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        Assert.Equal("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            WebhookSignature.Sign("what do ya want for nothing?"u8, "Jefe"));
    }

    [Theory]
    [InlineData(1, 15)]
    [InlineData(2, 30)]
    [InlineData(3, 60)]
    [InlineData(8, 1920)]
    [InlineData(9, 3600)]
    [InlineData(40, 3600)]
    public void The_queue_backoff_doubles_from_the_first_retry_up_to_the_cap(int round, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new WebhookOptions().BackoffAfter(round));

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook", null)]
    [InlineData("https://10.0.0.5/bot", null)]
    [InlineData("http://[::1]:9/x", null)]
    [InlineData("javascript:alert(1)", "http or https")]
    [InlineData("127.0.0.1/hook", "absolute")]
    public void Urls_must_be_absolute_http_or_https(string url, string? problem)
    {
        var found = WebhookUrls.Problem(url);
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found);
        }
    }

    [Fact]
    public void A_logged_url_keeps_only_scheme_host_and_port() =>
        Assert.Equal("https://discord.com/…", WebhookUrls.ForLog("https://discord.com/api/webhooks/123/secret-token"));
}
