using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Notifications;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Notifications;

/// <summary>A dashboard with quick webhook retries (1 s between rounds, 50 ms quick retries), and helpers for its API.</summary>
internal static class WebhookHarness
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    public static Dictionary<string, string> Settings(int quickRetries = 2) => new(DashboardFactory.UnlimitedRates)
    {
        ["Dashboard:Webhooks:FirstRetrySeconds"] = "1",
        ["Dashboard:Webhooks:MaxRetrySeconds"] = "2",
        ["Dashboard:Webhooks:QuickRetries"] = quickRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Dashboard:Webhooks:QuickRetryDelayMilliseconds"] = "50",
        ["Dashboard:Jobs:PollIntervalSeconds"] = "1",
    };

    public static DashboardFactory Create(string? dataDirectory = null, int quickRetries = 2) =>
        new(dataDirectory, settings: Settings(quickRetries));

    public static async Task<WebhookView> RegisterAsync(HttpClient admin, string url, string[]? events = null, string? secret = null, string? format = null)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url, events = events ?? [], secret, format });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync<WebhookView>())!;
    }

    public static async Task<IReadOnlyList<WebhookDeliveryView>> DeliveriesAsync(HttpClient admin, int webhookId) =>
        (await admin.GetFromJsonAsync<List<WebhookDeliveryView>>($"/api/v1/webhooks/{webhookId}/deliveries?take=500", JsonDefaults.Options))!;

    /// <summary>A state-change event as the status board would report it (message = <paramref name="tag"/>).</summary>
    public static void PublishState(DashboardFactory factory, int serverId, string tag) =>
        factory.Services.GetRequiredService<NotificationQueue>().Publish(NotificationEventFactory.StateChanged(ServerState.Starting,
            new ServerStatus(serverId, ServerState.Running, 4242, DateTimeOffset.UtcNow, false, null, tag, DateTimeOffset.UtcNow)));

    public static Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> until, string what) =>
        Eventually.ReturnsAsync(probe, until, WaitLimit, what);

    public static Task WaitAsync(Func<bool> condition, string what) => Eventually.TrueAsync(condition, WaitLimit, what);

    public static Task<HttpClient> AdminAsync(DashboardFactory factory) => factory.CreateClientWithRoleAsync(Roles.Admin);

    /// <summary>The <c>message</c> of a server.state body (the tag given to <see cref="PublishState"/>).</summary>
    public static string? Tag(ReceivedRequest request) =>
        request.Json.TryGetProperty("data", out var data) && data.TryGetProperty("message", out var m) ? m.GetString() : null;
}
