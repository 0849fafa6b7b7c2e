using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Tests.Hubs;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Security;

/// <summary>Findings 4, 7 and 9 on the web surface: cross-site requests, security headers, hosts, rate limits, stream caps.</summary>
public sealed class WebSurfaceTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory = fixture.Factory;

    [Theory]
    [InlineData("/account/login")]
    [InlineData("/api/v1/health")]
    [InlineData("/api/v1/servers")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        var response = await factory.CreateAnonymousClient().GetAsync(path);

        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.False(response.Headers.Contains("Strict-Transport-Security")); // plain http here
    }

    [Fact]
    public async Task A_host_name_outside_AllowedHosts_is_refused()
    {
        var client = factory.CreateAnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/health");
        request.Headers.Host = "rebound.attacker.example";

        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/health")).StatusCode); // "localhost" is allowed
    }

    [Fact]
    public async Task Cross_site_unsafe_requests_with_the_cookie_are_refused_and_with_an_API_key_accepted()
    {
        await Sessions.CreateUserAsync(factory, "csrf-operator", Roles.Operator);
        var browser = await Sessions.LogInAsync(factory, "csrf-operator", sameOrigin: false);

        // What a page on another port of this host (a game's web map) or another site can make a browser send:
        foreach (var (header, value) in new[] { ("Sec-Fetch-Site", "same-site"), ("Sec-Fetch-Site", "cross-site"), ("Origin", "http://localhost:8123"), ("Origin", "https://evil.example") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/processes/cleanup?mode=dead");
            request.Headers.Add(header, value);
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(request)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostAsync("/api/v1/processes/cleanup?mode=dead", null)).StatusCode); // no header at all
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/servers")).StatusCode); // reads are not affected

        using (var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/api/v1/processes/cleanup?mode=dead"))
        {
            sameOrigin.Headers.Add("Sec-Fetch-Site", "same-origin");
            Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(sameOrigin)).StatusCode);
        }

        using (var origin = new HttpRequestMessage(HttpMethod.Post, "/api/v1/processes/cleanup?mode=dead"))
        {
            origin.Headers.Add("Origin", "http://localhost");
            Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(origin)).StatusCode);
        }

        var script = await Sessions.ApiKeyClientAsync(factory, Roles.Operator);
        Assert.Equal(HttpStatusCode.OK, (await script.PostAsync("/api/v1/processes/cleanup?mode=dead", null)).StatusCode);
    }

    [Fact]
    public async Task Hub_and_circuit_connections_from_another_origin_are_refused()
    {
        await Sessions.CreateUserAsync(factory, "ws-viewer", Roles.Viewer);
        var browser = await Sessions.LogInAsync(factory, "ws-viewer", sameOrigin: false);

        foreach (var path in new[] { "/hubs/dashboard/negotiate?negotiateVersion=1", "/_blazor/negotiate?negotiateVersion=1" })
        {
            using var foreign = new HttpRequestMessage(HttpMethod.Post, path);
            foreign.Headers.Add("Origin", "http://localhost:8123");
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(foreign)).StatusCode);

            using var crossSite = new HttpRequestMessage(HttpMethod.Post, path);
            crossSite.Headers.Add("Sec-Fetch-Site", "same-site");
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(crossSite)).StatusCode);
        }

        using var own = new HttpRequestMessage(HttpMethod.Post, "/hubs/dashboard/negotiate?negotiateVersion=1");
        own.Headers.Add("Origin", "http://localhost");
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(own)).StatusCode);
    }

    [Fact]
    public async Task Logout_needs_the_antiforgery_token()
    {
        await Sessions.CreateUserAsync(factory, "logout-viewer", Roles.Viewer);
        var browser = await Sessions.LogInAsync(factory, "logout-viewer");

        var forged = await browser.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/servers")).StatusCode); // still logged in
    }

    [Fact]
    public async Task An_access_token_in_the_query_is_accepted_only_on_the_WebSocket()
    {
        var key = (await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync($"q-{Guid.NewGuid():N}", Roles.Viewer, "tests", CancellationToken.None)).PlainTextKey;
        var client = factory.CreateAnonymousClient();

        var negotiate = await client.PostAsync($"/hubs/dashboard/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(key)}", null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/v1/servers?access_token={Uri.EscapeDataString(key)}")).StatusCode);

        await using var hub = await new HubFixtureLike(factory).ConnectLikeTheJsClientAsync(key); // bearer on negotiate, query on the WebSocket
        await foreach (var _ in hub.StreamAsync("SubscribeStatus", []))
        {
            break;
        }
    }

    [Fact]
    public async Task Bursts_far_beyond_normal_use_get_429_with_Retry_After_while_polling_does_not()
    {
        using var factory = new DashboardFactory(); // the default limits: the shared fixture lifts them
        var script = await Sessions.ApiKeyClientAsync(factory, Roles.Operator);

        // Polling: 40 status reads back to back (two seconds' worth at 20/s) all pass.
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/v1/servers/status")).StatusCode);
        }

        var actions = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => script.PostAsync("/api/v1/processes/cleanup?mode=dead", null)));
        var limited = actions.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.True(limited[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After missing");
        Assert.Contains(actions, r => r.StatusCode == HttpStatusCode.OK);

        // Log reads have a budget of 100 a second, refilled continuously: a machine busy with other tests can take over a second
        // to let 300 concurrent reads through, and the refill then keeps pace. Bursts continue until the budget is spent.
        var logReads = new List<HttpResponseMessage>();
        for (var burst = 0; burst < 5 && !logReads.Any(r => r.StatusCode == HttpStatusCode.TooManyRequests); burst++)
        {
            logReads.AddRange(await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => script.GetAsync("/api/v1/servers/1/logs?lines=1"))));
        }

        Assert.Contains(logReads, r => r.StatusCode == HttpStatusCode.TooManyRequests);

        // Per caller, not per address: another key from the same address is not limited by the first one's burst.
        var other = await Sessions.ApiKeyClientAsync(factory, Roles.Operator);
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsync("/api/v1/processes/cleanup?mode=dead", null)).StatusCode);
    }

    [Fact]
    public async Task Concurrent_hub_streams_per_caller_are_capped()
    {
        using var capped = new DashboardFactory(settings: new Dictionary<string, string> { ["Dashboard:Security:MaxStreamsPerUser"] = "2" });
        var key = (await capped.Services.GetRequiredService<ApiKeyService>().CreateAsync($"cap-{Guid.NewGuid():N}", Roles.Viewer, "tests", CancellationToken.None)).PlainTextKey;
        await using var hub = await HubFixture.ConnectAsync(capped, "/hubs/dashboard", header: key);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var first = hub.StreamAsync("SubscribeStatus", [], stop.Token).GetAsyncEnumerator(stop.Token);
        var second = hub.StreamAsync("SubscribeStatus", [], stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await first.MoveNextAsync());
        Assert.True(await second.MoveNextAsync());

        var third = hub.StreamAsync("SubscribeStatus", [], stop.Token).GetAsyncEnumerator(stop.Token);
        var error = await Assert.ThrowsAsync<HubErrorException>(async () => await third.MoveNextAsync());
        Assert.Contains("Too many concurrent streams", error.Message);

        await first.DisposeAsync(); // a slot comes back when a stream ends
        await Eventually.TrueAsync(() => capped.Services.GetRequiredService<ServerDashboard.Hubs.HubStreamSlots>().OpenStreams(PrincipalOf(capped, key)) < 2,
            TimeSpan.FromSeconds(10), "the slot to be released");
        var fourth = hub.StreamAsync("SubscribeStatus", [], stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await fourth.MoveNextAsync());
        await second.DisposeAsync();
        await fourth.DisposeAsync();
    }

    private static string PrincipalOf(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app, string key)
    {
        var prefix = key.Split('_')[1];
        var keys = app.Services.GetRequiredService<ApiKeyService>().ListAsync(CancellationToken.None).GetAwaiter().GetResult();
        return PrincipalKey.ForApiKey(keys.Single(k => k.Prefix == prefix).Id);
    }

    /// <summary>HubFixture's JS-client connection, for any factory.</summary>
    private sealed class HubFixtureLike(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app)
    {
        public async Task<RawSignalRClient> ConnectLikeTheJsClientAsync(string key)
        {
            var http = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            var sockets = app.Server.CreateWebSocketClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await RawSignalRClient.ConnectAsync(http, "/hubs/dashboard", (uri, ct) =>
                sockets.ConnectAsync(new Uri($"{uri}&access_token={Uri.EscapeDataString(key)}"), ct), timeout.Token);
        }
    }
}
