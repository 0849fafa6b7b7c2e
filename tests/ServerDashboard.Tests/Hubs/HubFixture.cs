using System.Net.WebSockets;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerDashboard.Auth;
using ServerDashboard.Logs;
using ServerDashboard.Servers;
using ServerDashboard.Testing;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Hubs;

/// <summary>The app with <see cref="FakeServerLogs"/> as its log source, and raw SignalR clients that authenticate like scripts.</summary>
public sealed class HubFixture : IDisposable
{
    private readonly DashboardFactory root = new();

    public HubFixture() =>
        Factory = root.WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<IServerLogs>(Logs))));

    public FakeServerLogs Logs { get; } = new();

    public WebApplicationFactory<Program> Factory { get; }

    public async Task<int> CreateServerAsync(string name, int? browserLinesPerSecond = null)
    {
        var model = ServerRequests.Valid(name);
        model.Limits = model.Limits with { BrowserLinesPerSecond = browserLinesPerSecond };
        var result = await Factory.Services.GetRequiredService<ServerCatalog>().CreateAsync(model, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Fields.SelectMany(f => f.Value)));
        return result.Server!.Id;
    }

    public async Task<string> CreateApiKeyAsync(string role) =>
        (await Factory.Services.GetRequiredService<ApiKeyService>().CreateAsync($"hub-{role}-{Guid.NewGuid():N}", role, "tests", CancellationToken.None)).PlainTextKey;

    /// <summary>
    /// Connects as a script would with the key as an access token (what @microsoft/signalr's accessTokenFactory sends): the
    /// query parameter is accepted on the WebSocket only, so negotiate carries it as a bearer token.
    /// </summary>
    public Task<RawSignalRClient> ConnectWithAccessTokenAsync(string key) => ConnectLikeTheJsClientAsync(key);

    /// <summary>
    /// Connects exactly as @microsoft/signalr with <c>accessTokenFactory</c> does: <c>Authorization: Bearer</c> on negotiate,
    /// <c>access_token</c> in the WebSocket's query.
    /// </summary>
    public async Task<RawSignalRClient> ConnectLikeTheJsClientAsync(string key)
    {
        var http = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        var sockets = Factory.Server.CreateWebSocketClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await RawSignalRClient.ConnectAsync(http, "/hubs/dashboard", (uri, ct) =>
            sockets.ConnectAsync(new Uri($"{uri}&access_token={Uri.EscapeDataString(key)}"), ct), timeout.Token);
    }

    /// <summary>Connects with the key in the <c>X-Api-Key</c> header on both the negotiate request and the WebSocket.</summary>
    public Task<RawSignalRClient> ConnectWithHeaderAsync(string key) => ConnectAsync(Factory, "/hubs/dashboard", header: key);

    public static async Task<RawSignalRClient> ConnectAsync(WebApplicationFactory<Program> factory, string hubUrl, string? header)
    {
        var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (header is not null)
        {
            http.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, header);
        }

        var sockets = factory.Server.CreateWebSocketClient();
        if (header is not null)
        {
            sockets.ConfigureRequest = request => request.Headers[ApiKeyAuthenticationHandler.HeaderName] = header;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await RawSignalRClient.ConnectAsync(http, hubUrl, (uri, ct) => sockets.ConnectAsync(uri, ct), timeout.Token);
    }

    public void Dispose() => root.Dispose();
}
