using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Security;

/// <summary>Users and cookie sessions as a browser has them, for the security tests.</summary>
public static class Sessions
{
    public const string Password = "Correct-Horse-Battery-9";

    public static readonly AuditActor TestActor = new("tests", "local");

    public static async Task<string> CreateUserAsync(WebApplicationFactory<Program> factory, string userName, string role)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var result = await admin.CreateAsync(userName, Password, role, TestActor);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return (await admin.ListAsync(CancellationToken.None)).Single(u => u.UserName == userName).Id;
    }

    /// <summary>A client holding the login cookie, sending <c>Sec-Fetch-Site: same-origin</c> like a browser on the dashboard's own page.</summary>
    public static async Task<HttpClient> LogInAsync(WebApplicationFactory<Program> factory, string userName, string password = Password, bool sameOrigin = true)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var login = await LoginForm.PostAsync(client, userName, password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        if (sameOrigin)
        {
            client.DefaultRequestHeaders.Add("Sec-Fetch-Site", "same-origin");
        }

        return client;
    }

    public static async Task<HttpClient> ApiKeyClientAsync(WebApplicationFactory<Program> factory, string role)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var key = await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync($"sec-{role}-{Guid.NewGuid():N}", role, "tests", CancellationToken.None);
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key.PlainTextKey);
        return client;
    }

    /// <summary>Logs in without a cookie container and returns the auth cookie ("name=value"), for WebSocket requests.</summary>
    public static async Task<string> AuthCookieAsync(WebApplicationFactory<Program> factory, string userName, string password = Password)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var page = await client.GetAsync("/account/login");
        var html = await page.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
                ["Input.UserName"] = userName,
                ["Input.Password"] = password,
            }),
        };
        request.Headers.Add("Cookie", string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));
        var login = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("ServerDashboard.Auth=", StringComparison.Ordinal));
    }
}
