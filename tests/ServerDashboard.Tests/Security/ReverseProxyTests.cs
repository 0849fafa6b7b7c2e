using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Security;

/// <summary>Finding 5: X-Forwarded-* are believed only from configured proxies; then the client's address and scheme are used.</summary>
public sealed class ReverseProxyTests
{
    private const string ProxyAddress = "127.0.0.1";
    private const string ClientAddress = "203.0.113.9";

    [Fact]
    public async Task Forwarded_headers_from_a_known_proxy_give_the_clients_address_https_cookies_and_HSTS()
    {
        using var root = new DashboardFactory(settings: new Dictionary<string, string> { ["Dashboard:ReverseProxy:KnownProxies:0"] = ProxyAddress });
        using var app = FromAddress(root, ProxyAddress);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("X-Forwarded-For", ClientAddress);
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        var health = await client.GetAsync("/api/v1/health");
        Assert.Equal("max-age=31536000", health.Headers.GetValues("Strict-Transport-Security").Single());

        var login = await PostLoginAsync(client, "admin", "wrong-password");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var failed = await LastAuditAsync(app, AuditActions.LoginFailed);
        Assert.Equal(ClientAddress, failed.SourceIp);

        var ok = await PostLoginAsync(client, "admin", DashboardFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        var cookie = ok.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ServerDashboard.Auth=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Forwarded_headers_from_anyone_else_are_ignored()
    {
        using var root = new DashboardFactory(settings: new Dictionary<string, string> { ["Dashboard:ReverseProxy:KnownNetworks:0"] = "10.0.0.0/8" });
        using var app = FromAddress(root, ProxyAddress); // not in 10.0.0.0/8
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("X-Forwarded-For", ClientAddress);
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        var health = await client.GetAsync("/api/v1/health");
        Assert.False(health.Headers.Contains("Strict-Transport-Security"));

        await PostLoginAsync(client, "admin", "wrong-password");
        Assert.Equal(ProxyAddress, (await LastAuditAsync(app, AuditActions.LoginFailed)).SourceIp);
        var ok = await PostLoginAsync(client, "admin", DashboardFactory.AdminPassword);
        var cookie = ok.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ServerDashboard.Auth=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_configured_proxies_nothing_forwarded_is_believed()
    {
        using var root = new DashboardFactory();
        using var app = FromAddress(root, ProxyAddress);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("X-Forwarded-For", ClientAddress);

        await PostLoginAsync(client, "admin", "wrong-password");

        Assert.Equal(ProxyAddress, (await LastAuditAsync(app, AuditActions.LoginFailed)).SourceIp);
    }

    /// <summary>TestServer has no socket: every request appears to come from <paramref name="address"/> (as a proxy's would).</summary>
    private static WebApplicationFactory<Program> FromAddress(DashboardFactory root, string address) =>
        root.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(IPAddress.Parse(address)))));

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string user, string password)
    {
        // Cookies by hand (HandleCookies is off so the Set-Cookie headers can be read): the antiforgery cookie goes back.
        var page = await client.GetAsync("/account/login");
        var html = await page.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var cookies = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
                ["Input.UserName"] = user,
                ["Input.Password"] = password,
            }),
        };
        request.Headers.Add("Cookie", cookies);
        return await client.SendAsync(request);
    }

    private static async Task<ServerDashboard.Data.AuditEntry> LastAuditAsync(WebApplicationFactory<Program> app, string action) =>
        (await app.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Action: action), CancellationToken.None)).Entries.First();

    private sealed class RemoteAddressFilter(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
