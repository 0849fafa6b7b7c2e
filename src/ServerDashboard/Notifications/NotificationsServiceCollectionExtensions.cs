using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ServerDashboard.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>
    /// Webhooks (docs/webhooks.md): <see cref="WebhookOptions"/> ("Dashboard:Webhooks"), the registry, the persisted
    /// delivery queue with its outbox and dispatcher, the event sources, and the "webhooks" HttpClient.
    /// <para>
    /// The two retry layers: the HttpClient's resilience handler owns one <em>round</em> — each request times out after
    /// <see cref="WebhookOptions.TimeoutSeconds"/>, and a transient failure (5xx, 408, 429, no connection, timeout) is
    /// retried <see cref="WebhookOptions.QuickRetries"/> times within seconds. What still fails goes back to the
    /// persisted queue, which tries the next round after an exponential backoff (<see cref="WebhookOptions.FirstRetrySeconds"/>,
    /// doubling, up to <see cref="WebhookOptions.MaxRetrySeconds"/>) on <see cref="TimeProvider"/>, for up to
    /// <see cref="WebhookOptions.MaxRounds"/> rounds, surviving restarts.
    /// </para>
    /// Register after the Servers, Jobs and Ports modules (it listens to them).
    /// </summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName)
            .Validate(o => o.TimeoutSeconds is >= 1 and <= 300, "Dashboard:Webhooks:TimeoutSeconds must be between 1 and 300.")
            .Validate(o => o.QuickRetries is >= 0 and <= 10 && o.QuickRetryDelayMilliseconds is >= 1 and <= 60_000,
                "Dashboard:Webhooks:QuickRetries must be between 0 and 10, QuickRetryDelayMilliseconds between 1 and 60000.")
            .Validate(o => o.MaxRounds >= 1 && o.FirstRetrySeconds >= 1 && o.MaxRetrySeconds >= o.FirstRetrySeconds,
                "Dashboard:Webhooks: MaxRounds and FirstRetrySeconds must be at least 1, MaxRetrySeconds at least FirstRetrySeconds.")
            .Validate(o => o.KeepDeliveries >= 1 && o.MaxParallel >= 1, "Dashboard:Webhooks: KeepDeliveries and MaxParallel must be at least 1.")
            .ValidateOnStart();

        var client = services.AddHttpClient(WebhookSender.ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan) // the pipeline's timeouts rule
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, // a 3xx is an answer to report, not a reason to post the body elsewhere
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2), // follow DNS changes of the receiver
            })
            // The factory's default loggers write the full request URI: a Discord webhook URL carries its token in the path.
            .RemoveAllLoggers();
        client.AddResilienceHandler("webhook-round", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value;
                if (o.QuickRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = o.QuickRetries,
                        Delay = TimeSpan.FromMilliseconds(o.QuickRetryDelayMilliseconds),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        // A Retry-After (possibly an hour) is the queue's business, not a reason to hold a round open.
                        ShouldRetryAfterHeader = false,
                        MaxDelay = TimeSpan.FromSeconds(10),
                    });
                }

                pipeline.AddTimeout(TimeSpan.FromSeconds(o.TimeoutSeconds));
            });
        client.AddHttpMessageHandler(() => new AttemptRecorder()); // added after, so inside the resilience handler: sees every request

        services.AddSingleton<NotificationQueue>();
        services.AddSingleton<DeliverySignal>();
        services.AddSingleton<WebhookDeliveryLog>();
        services.AddSingleton<WebhookRegistry>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService<WebhookEventSources>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookOutbox>());
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }
}
