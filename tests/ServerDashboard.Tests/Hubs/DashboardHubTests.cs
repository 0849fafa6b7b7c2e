using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Servers;
using ServerDashboard.Auth;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Hubs;

/// <summary>The hub as scripts use it: raw SignalR JSON protocol over a WebSocket, API-key authentication.</summary>
public sealed class DashboardHubTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_api_key_in_access_token_streams_the_backlog_then_live_lines_in_camel_case()
    {
        var id = await fixture.CreateServerAsync("hub-stream");
        fixture.Logs.Push(id, "first", "second");
        await using var client = await fixture.ConnectWithAccessTokenAsync(await fixture.CreateApiKeyAsync(Roles.Viewer));
        using var cts = new CancellationTokenSource(Timeout);

        await using var items = client.StreamAsync("SubscribeLogs", [id, null], cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.True(await items.MoveNextAsync());
        var backlog = items.Current.EnumerateArray().ToList();
        Assert.Equal(["first", "second"], backlog.Select(l => l.GetProperty("text").GetString()));
        var line = backlog[0];
        Assert.Equal(["seq", "text", "timestamp", "source"], line.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, line.GetProperty("seq").GetInt64());
        Assert.Equal("console", line.GetProperty("source").GetString());
        Assert.InRange(line.GetProperty("timestamp").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), long.MaxValue);

        fixture.Logs.Push(id, "third");
        Assert.True(await items.MoveNextAsync());
        var live = Assert.Single(items.Current.EnumerateArray());
        Assert.Equal(3, live.GetProperty("seq").GetInt64());
        Assert.Equal("third", live.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_throttled_server_sends_the_backlog_then_at_most_its_rate_and_one_marker_counting_the_skipped_lines()
    {
        var id = await fixture.CreateServerAsync("hub-throttled", browserLinesPerSecond: 50);
        fixture.Logs.Push(id, Enumerable.Range(1, 200).Select(n => $"old {n}").ToArray());
        await using var client = await fixture.ConnectWithAccessTokenAsync(await fixture.CreateApiKeyAsync(Roles.Viewer));
        using var cts = new CancellationTokenSource(Timeout);
        await using var items = client.StreamAsync("SubscribeLogs", [id, null], cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await items.MoveNextAsync());
        Assert.Equal(200, items.Current.GetArrayLength()); // the backlog is not throttled

        var pushed = fixture.Logs.Push(id, Enumerable.Range(1, 500).Select(n => $"new {n}").ToArray());
        var live = new List<JsonElement>();
        while (!live.Any(l => l.GetProperty("source").GetString() == "dashboard") && await items.MoveNextAsync())
        {
            live.AddRange(items.Current.EnumerateArray());
        }

        var lines = live.Where(l => l.GetProperty("source").GetString() == "console").ToList();
        var marker = Assert.Single(live, l => l.GetProperty("source").GetString() == "dashboard");
        Assert.InRange(lines.Count, 50, 52); // one second's budget (plus what refilled while the 500 were pushed)
        Assert.Equal(
            $"[dashboard] throttled: showing at most 50 lines/s, {500 - lines.Count} lines skipped (the log file is complete)",
            marker.GetProperty("text").GetString());
        Assert.Equal(pushed[^1].Seq, marker.GetProperty("seq").GetInt64());
        Assert.Equal(500, fixture.Logs.After(id, 200, 1_000).Count); // the source (REST, file) keeps every line
    }

    [Fact]
    public async Task An_api_key_in_the_header_works_too_and_afterSeq_resumes_after_the_last_line_seen()
    {
        var id = await fixture.CreateServerAsync("hub-resume");
        fixture.Logs.Push(id, "one", "two", "three", "four");
        await using var client = await fixture.ConnectWithHeaderAsync(await fixture.CreateApiKeyAsync(Roles.Operator));
        using var cts = new CancellationTokenSource(Timeout);

        var first = await FirstItemAsync(client.StreamAsync("SubscribeLogs", [id, 2L], cts.Token));

        Assert.Equal([3L, 4L], first.EnumerateArray().Select(l => l.GetProperty("seq").GetInt64()));
        Assert.Contains((id, 2L), fixture.Logs.Subscriptions);
    }

    [Fact]
    public async Task A_bearer_token_on_negotiate_then_access_token_on_the_websocket_works_like_the_js_client()
    {
        var id = await fixture.CreateServerAsync("hub-jsclient");
        fixture.Logs.Push(id, "hello script");
        await using var client = await fixture.ConnectLikeTheJsClientAsync(await fixture.CreateApiKeyAsync(Roles.Viewer));
        using var cts = new CancellationTokenSource(Timeout);

        var first = await FirstItemAsync(client.StreamAsync("SubscribeLogs", [id, null], cts.Token));

        Assert.Equal("hello script", first[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Cancelling_the_stream_ends_the_subscription_to_the_log_source()
    {
        var id = await fixture.CreateServerAsync("hub-cancel");
        fixture.Logs.Push(id, "hello");
        await using var client = await fixture.ConnectWithAccessTokenAsync(await fixture.CreateApiKeyAsync(Roles.Viewer));
        using var cts = new CancellationTokenSource(Timeout);

        await FirstItemAsync(client.StreamAsync("SubscribeLogs", [id, null], cts.Token)); // leaving the loop sends CancelInvocation

        await Eventually.TrueAsync(() => fixture.Logs.ActiveSubscribers(id) == 0, Timeout, "the hub to cancel the log subscription");
    }

    [Fact]
    public async Task An_unknown_server_completes_the_stream_with_an_error()
    {
        await using var client = await fixture.ConnectWithAccessTokenAsync(await fixture.CreateApiKeyAsync(Roles.Viewer));
        using var cts = new CancellationTokenSource(Timeout);

        var error = await Assert.ThrowsAsync<HubErrorException>(() => FirstItemAsync(client.StreamAsync("SubscribeLogs", [987654, null], cts.Token)));

        Assert.Contains("No server with id 987654", error.Message);
    }

    [Fact]
    public async Task Negotiation_without_credentials_answers_401()
    {
        var response = await fixture.Factory.CreateClient().PostAsync("/hubs/dashboard/negotiate?negotiateVersion=1", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_access_token_answers_401()
    {
        var response = await fixture.Factory.CreateClient().PostAsync("/hubs/dashboard/negotiate?negotiateVersion=1&access_token=sdk_abcdefgh_nope", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Status_streams_every_server_first_then_changes_with_state_names()
    {
        var id = await fixture.CreateServerAsync("hub-status");
        await using var client = await fixture.ConnectWithAccessTokenAsync(await fixture.CreateApiKeyAsync(Roles.Viewer));
        using var cts = new CancellationTokenSource(Timeout);
        await using var items = client.StreamAsync("SubscribeStatus", [], cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.True(await items.MoveNextAsync());
        var snapshot = items.Current.EnumerateArray().Single(s => s.GetProperty("serverId").GetInt32() == id);
        Assert.Equal("Stopped", snapshot.GetProperty("state").GetString());

        var board = fixture.Factory.Services.GetRequiredService<ServerStatusBoard>();
        board.Update(id, s => s with { State = ServerState.Starting, Message = "from the test" });

        Assert.True(await items.MoveNextAsync());
        var change = items.Current.EnumerateArray().Last(s => s.GetProperty("serverId").GetInt32() == id);
        Assert.Equal("Starting", change.GetProperty("state").GetString());
        Assert.Equal("from the test", change.GetProperty("message").GetString());
        board.Update(id, s => s with { State = ServerState.Stopped, Message = null });
    }

    private static async Task<JsonElement> FirstItemAsync(IAsyncEnumerable<JsonElement> items)
    {
        await foreach (var item in items)
        {
            return item;
        }

        throw new InvalidOperationException("The stream completed without an item");
    }
}
