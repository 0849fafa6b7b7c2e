using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Tests.Hubs;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Security;

/// <summary>
/// Every endpoint, page and hub method × every kind of caller → the expected status. The table is checked against the
/// app's own endpoint list, so a new endpoint without a row fails here. The demoted caller is an Admin's cookie session
/// whose user was made a Viewer after logging in: the session ends (the security stamp changed), it does not keep Admin.
/// </summary>
public sealed class RouteTableTests : IDisposable
{
    private const string Anonymous = "anonymous", Viewer = "Viewer", Operator = "Operator", Admin = "Admin", Demoted = "demoted";

    private readonly DashboardFactory factory = new(settings: new Dictionary<string, string>
    {
        ["Dashboard:Security:RevalidationMinutes"] = "0", // check the stamp on every request and circuit
        ["Dashboard:RateLimits:ReadsPerSecond"] = "10000",
        ["Dashboard:RateLimits:LogReadsPerSecond"] = "10000",
        ["Dashboard:RateLimits:ActionsPerSecond"] = "10000",
    });

    /// <summary>(method, route pattern, a concrete path, the policy). Ids that do not exist keep the calls harmless.</summary>
    private static readonly (string Method, string Pattern, string Path, string? Policy)[] Api =
    [
        ("GET", "/api/v1/health", "/api/v1/health", null),
        ("GET", "/api/v1/servers/", "/api/v1/servers", Policies.View),
        ("GET", "/api/v1/servers/{id:int}", "/api/v1/servers/999999", Policies.View),
        ("POST", "/api/v1/servers/", "/api/v1/servers", Policies.Admin),
        ("PUT", "/api/v1/servers/{id:int}", "/api/v1/servers/999999", Policies.Admin),
        ("DELETE", "/api/v1/servers/{id:int}", "/api/v1/servers/999999", Policies.Admin),
        ("GET", "/api/v1/server-templates", "/api/v1/server-templates", Policies.View),
        ("POST", "/api/v1/servers/{id:int}/start", "/api/v1/servers/999999/start", Policies.Operate),
        ("POST", "/api/v1/servers/{id:int}/stop", "/api/v1/servers/999999/stop", Policies.Operate),
        ("POST", "/api/v1/servers/{id:int}/restart", "/api/v1/servers/999999/restart", Policies.Operate),
        ("POST", "/api/v1/servers/{id:int}/kill", "/api/v1/servers/999999/kill", Policies.Operate),
        ("POST", "/api/v1/servers/shutdown-all", "/api/v1/servers/shutdown-all", Policies.Operate),
        ("GET", "/api/v1/servers/status", "/api/v1/servers/status", Policies.View),
        ("GET", "/api/v1/servers/{id:int}/status", "/api/v1/servers/999999/status", Policies.View),
        ("GET", "/api/v1/servers/{id:int}/process-info", "/api/v1/servers/999999/process-info", Policies.View),
        ("GET", "/api/v1/processes/", "/api/v1/processes", Policies.View),
        ("GET", "/api/v1/processes/{pid:int}", "/api/v1/processes/999999", Policies.View),
        ("DELETE", "/api/v1/processes/{pid:int}", "/api/v1/processes/999999", Policies.Operate),
        ("POST", "/api/v1/processes/cleanup", "/api/v1/processes/cleanup?mode=dead", Policies.Operate),
        ("GET", "/api/v1/servers/{id:int}/logs", "/api/v1/servers/999999/logs", Policies.View),
        ("GET", "/api/v1/servers/{id:int}/logs/download", "/api/v1/servers/999999/logs/download", Policies.View),
        ("POST", "/api/v1/servers/{id:int}/commands", "/api/v1/servers/999999/commands", Policies.Operate),
        ("GET", "/api/v1/audit", "/api/v1/audit", Policies.View),
        ("GET", "/api/v1/servers/{id:int}/crashes", "/api/v1/servers/999999/crashes", Policies.View),
        ("GET", "/api/v1/servers/{id:int}/metrics", "/api/v1/servers/999999/metrics", Policies.View),
        ("GET", "/api/v1/ports/", "/api/v1/ports", Policies.View),
        ("GET", "/api/v1/ports/{port:int}", "/api/v1/ports/1", Policies.View),
        ("POST", "/api/v1/ports/{port:int}/free", "/api/v1/ports/1/free", Policies.Admin), // no force: nothing is signalled
        ("GET", "/api/v1/managed-ports/", "/api/v1/managed-ports", Policies.View),
        ("POST", "/api/v1/managed-ports/", "/api/v1/managed-ports", Policies.Admin),
        ("DELETE", "/api/v1/managed-ports/{id:int}", "/api/v1/managed-ports/999999", Policies.Admin),
        ("GET", "/api/v1/jobs/", "/api/v1/jobs", Policies.View),
        ("GET", "/api/v1/jobs/{name}", "/api/v1/jobs/no-such-job", Policies.View),
        ("POST", "/api/v1/jobs/", "/api/v1/jobs", Policies.Operate),
        ("POST", "/api/v1/jobs/{name}/cancel", "/api/v1/jobs/no-such-job/cancel", Policies.Operate),
        ("GET", "/api/v1/job-types/", "/api/v1/job-types", Policies.View),
        ("GET", "/api/v1/job-types/{name}", "/api/v1/job-types/no-such-type", Policies.View),
        ("POST", "/api/v1/job-types/", "/api/v1/job-types", Policies.Admin),
        ("PUT", "/api/v1/job-types/{name}", "/api/v1/job-types/no-such-type", Policies.Admin),
        ("DELETE", "/api/v1/job-types/{name}", "/api/v1/job-types/no-such-type", Policies.Admin),
        ("GET", "/api/v1/servers/{id:int}/backups/", "/api/v1/servers/999999/backups", Policies.View),
        ("POST", "/api/v1/servers/{id:int}/backups/", "/api/v1/servers/999999/backups", Policies.Operate),
        ("GET", "/api/v1/servers/{id:int}/backups/{file}", "/api/v1/servers/999999/backups/20260101T000000.000Z.tar.gz", Policies.Admin),
        ("DELETE", "/api/v1/servers/{id:int}/backups/{file}", "/api/v1/servers/999999/backups/20260101T000000.000Z.tar.gz", Policies.Admin),
        ("POST", "/api/v1/servers/{id:int}/backups/{file}/restore", "/api/v1/servers/999999/backups/20260101T000000.000Z.tar.gz/restore", Policies.Operate),
        ("GET", "/api/v1/schedules", "/api/v1/schedules", Policies.View),
        ("GET", "/api/v1/servers/{id:int}/schedules/", "/api/v1/servers/999999/schedules", Policies.View),
        ("POST", "/api/v1/servers/{id:int}/schedules/", "/api/v1/servers/999999/schedules", Policies.Operate),
        ("GET", "/api/v1/servers/{id:int}/schedules/{scheduleId:int}", "/api/v1/servers/999999/schedules/999999", Policies.View),
        ("PUT", "/api/v1/servers/{id:int}/schedules/{scheduleId:int}", "/api/v1/servers/999999/schedules/999999", Policies.Operate),
        ("DELETE", "/api/v1/servers/{id:int}/schedules/{scheduleId:int}", "/api/v1/servers/999999/schedules/999999", Policies.Operate),
        ("GET", "/api/v1/servers/{id:int}/schedules/{scheduleId:int}/runs", "/api/v1/servers/999999/schedules/999999/runs", Policies.View),
        ("GET", "/api/v1/webhooks/", "/api/v1/webhooks", Policies.Admin),
        ("POST", "/api/v1/webhooks/", "/api/v1/webhooks", Policies.Admin),
        ("PUT", "/api/v1/webhooks/{id:int}", "/api/v1/webhooks/999999", Policies.Admin),
        ("DELETE", "/api/v1/webhooks/{id:int}", "/api/v1/webhooks/999999", Policies.Admin),
        ("GET", "/api/v1/webhooks/{id:int}/deliveries", "/api/v1/webhooks/999999/deliveries", Policies.Admin),
        ("POST", "/api/v1/webhooks/{id:int}/deliveries/{deliveryId}/resend", "/api/v1/webhooks/999999/deliveries/no-such-delivery/resend", Policies.Admin),
        ("POST", "/api/v1/webhooks/{id:int}/test", "/api/v1/webhooks/999999/test", Policies.Admin),
        ("GET", "/openapi/{documentName}.json", "/openapi/v1.json", Policies.View),
        ("POST", "/hubs/dashboard/negotiate", "/hubs/dashboard/negotiate?negotiateVersion=1", Policies.View),
        ("GET", "/metrics", "/metrics", ServerDashboard.Metrics.MetricsApi.Policy), // an API key of any role (or an allow-listed address)
    ];

    /// <summary>Pages: (path, policy). null = anonymous; "" = any logged-in user (the fallback policy; Home forwards to /servers).</summary>
    private static readonly (string Path, string? Policy)[] Pages =
    [
        ("/account/login", null), ("/account/denied", null),
        ("/", ""), ("/servers", Policies.View), ("/servers/999999", Policies.View), ("/processes", Policies.View),
        ("/audit", Policies.View), ("/jobs", Policies.View), ("/schedules", Policies.View), ("/ports", Policies.View), ("/settings", Policies.View),
        ("/servers/new", Policies.Admin), ("/servers/999999/edit", Policies.Admin), ("/users", Policies.Admin), ("/webhooks", Policies.Admin),
    ];

    /// <summary>Hub methods and the policy each needs (the hub's own [Authorize] plus none stricter).</summary>
    private static readonly (string Method, object?[] Arguments, string Policy)[] HubMethods =
    [
        ("SubscribeStatus", [], Policies.View),
        ("SubscribeLogs", [999999, null], Policies.View),
    ];

    private static readonly string[] Callers = [Anonymous, Viewer, Operator, Admin, $"key:{Viewer}", $"key:{Operator}", $"key:{Admin}", Demoted];

    [Fact]
    public void The_table_covers_every_api_account_and_hub_endpoint_of_the_app()
    {
        _ = factory.CreateAnonymousClient();
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api", StringComparison.Ordinal) || raw.StartsWith("/openapi", StringComparison.Ordinal) || raw.StartsWith("/hubs", StringComparison.Ordinal) || raw == "/metrics"))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (Method: m, Pattern: e.RoutePattern.RawText!)))
            .Where(e => e.Pattern != "/hubs/dashboard") // the connection itself: its methods are the HubMethods rows
            .ToList();

        var missing = endpoints.Where(e => !Api.Any(row => (row.Method == e.Method || e.Method == "*") && row.Pattern.TrimEnd('/') == e.Pattern.TrimEnd('/'))).ToList();
        Assert.True(missing.Count == 0, "endpoints without a row: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Every_endpoint_page_and_hub_method_answers_each_caller_as_its_policy_says()
    {
        var clients = new Dictionary<string, HttpClient>();
        var keys = new Dictionary<string, string>();
        foreach (var role in new[] { Viewer, Operator, Admin })
        {
            await Sessions.CreateUserAsync(factory, $"table-{role.ToLowerInvariant()}", role);
            clients[role] = await Sessions.LogInAsync(factory, $"table-{role.ToLowerInvariant()}");
            keys[role] = (await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync($"table-{role}", role, "tests", CancellationToken.None)).PlainTextKey;
            var keyClient = factory.CreateAnonymousClient();
            keyClient.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, keys[role]);
            clients[$"key:{role}"] = keyClient;
        }

        clients[Anonymous] = factory.CreateAnonymousClient();
        var demotedId = await Sessions.CreateUserAsync(factory, "table-demoted", Admin);
        clients[Demoted] = await Sessions.LogInAsync(factory, "table-demoted");
        Assert.Equal(HttpStatusCode.OK, (await clients[Demoted].GetAsync("/api/v1/audit")).StatusCode); // an Admin now
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetRoleAsync(demotedId, Viewer, Sessions.TestActor)).Succeeded);
        }

        var failures = new List<string>();
        foreach (var caller in Callers)
        {
            foreach (var (method, _, path, policy) in Api)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                var status = (await clients[caller].SendAsync(request)).StatusCode;
                var expected = ExpectedApi(caller, policy);
                if (expected is { } denied ? status != denied : status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    failures.Add($"{caller} {method} {path}: {(int)status}, expected {(expected is { } e ? ((int)e).ToString() : "allowed")}");
                }
            }

            if (caller.StartsWith("key:", StringComparison.Ordinal))
            {
                continue; // pages are for browsers; keys authenticate scripts on /api and /hubs only
            }

            foreach (var (path, policy) in Pages)
            {
                var response = await clients[caller].GetAsync(path);
                var expected = ExpectedPage(caller, policy);
                var actual = response.StatusCode == HttpStatusCode.Redirect ? "redirect:" + response.Headers.Location!.AbsolutePathOf() : ((int)response.StatusCode).ToString();
                if (actual != expected)
                {
                    failures.Add($"{caller} page {path}: {actual}, expected {expected}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Hub_methods_answer_each_key_as_their_policy_says_and_a_revoked_key_is_cut_off()
    {
        var service = factory.Services.GetRequiredService<ApiKeyService>();
        foreach (var role in new[] { Viewer, Operator, Admin })
        {
            var key = await service.CreateAsync($"hub-{role}", role, "tests", CancellationToken.None);
            await using var hub = await HubFixture.ConnectAsync(factory, "/hubs/dashboard", header: key.PlainTextKey);
            foreach (var (method, arguments, _) in HubMethods)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await using var stream = hub.StreamAsync(method, arguments, timeout.Token).GetAsyncEnumerator(timeout.Token);
                if (method == "SubscribeLogs")
                {
                    // Allowed, and the unknown server is reported as such (not as a permission problem).
                    var error = await Assert.ThrowsAsync<HubErrorException>(async () => await stream.MoveNextAsync());
                    Assert.Contains("No server with id", error.Message);
                }
                else
                {
                    Assert.True(await stream.MoveNextAsync());
                }
            }
        }

        var anonymous = await Assert.ThrowsAsync<HttpRequestException>(() => HubFixture.ConnectAsync(factory, "/hubs/dashboard", header: null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        // A revoked key's open connection is closed at once, mid-stream.
        var revoked = await service.CreateAsync("hub-revoked", Viewer, "tests", CancellationToken.None);
        await using var open = await HubFixture.ConnectAsync(factory, "/hubs/dashboard", header: revoked.PlainTextKey);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var live = open.StreamAsync("SubscribeStatus", [], cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await live.MoveNextAsync());
        await service.RevokeAsync(revoked.Entity.Id, "tests", CancellationToken.None);
        await Assert.ThrowsAsync<HubErrorException>(async () =>
        {
            while (await live.MoveNextAsync())
            {
            }
        });
    }

    [Fact]
    public async Task A_demoted_users_hub_connection_is_closed()
    {
        var id = await Sessions.CreateUserAsync(factory, "hub-demoted", Operator);
        var cookie = await Sessions.AuthCookieAsync(factory, "hub-demoted");
        var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        browser.DefaultRequestHeaders.Add("Cookie", cookie);
        var sockets = factory.Server.CreateWebSocketClient();
        sockets.ConfigureRequest = request => request.Headers.Cookie = cookie;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var hub = await RawSignalRClient.ConnectAsync(browser, "/hubs/dashboard", (uri, ct) => sockets.ConnectAsync(uri, ct), timeout.Token);
        await using var live = hub.StreamAsync("SubscribeStatus", [], timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await live.MoveNextAsync());

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetRoleAsync(id, Viewer, Sessions.TestActor);
        }

        await Assert.ThrowsAsync<HubErrorException>(async () =>
        {
            while (await live.MoveNextAsync())
            {
            }
        });
    }

    private static HttpStatusCode? ExpectedApi(string caller, string? policy)
    {
        if (policy is null)
        {
            return null;
        }

        if (policy == ServerDashboard.Metrics.MetricsApi.Policy)
        {
            return caller.StartsWith("key:", StringComparison.Ordinal) ? null : HttpStatusCode.Unauthorized; // scrapers are scripts
        }

        var role = caller switch
        {
            Anonymous or Demoted => null, // the demoted session's cookie is no longer valid at all
            _ => caller.Replace("key:", "", StringComparison.Ordinal),
        };
        if (role is null)
        {
            return HttpStatusCode.Unauthorized;
        }

        return Allows(policy, role) ? null : HttpStatusCode.Forbidden;
    }

    private static string ExpectedPage(string caller, string? policy)
    {
        if (policy is null)
        {
            return "200";
        }

        if (caller is Anonymous or Demoted)
        {
            return "redirect:/account/login";
        }

        if (policy.Length == 0)
        {
            return "redirect:/servers";
        }

        return Allows(policy, caller) ? "200" : "redirect:/account/denied";
    }

    private static bool Allows(string policy, string role) => policy switch
    {
        Policies.View => true,
        Policies.Operate => role is Operator or Admin,
        _ => role is Admin,
    };

    public void Dispose() => factory.Dispose();
}

internal static class UriExtensions
{
    public static string AbsolutePathOf(this Uri location) =>
        (location.IsAbsoluteUri ? location : new Uri(new Uri("http://localhost"), location)).AbsolutePath;
}
