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
}
