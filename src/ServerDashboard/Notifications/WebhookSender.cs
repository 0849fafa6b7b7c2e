using System.Net.Http.Headers;
using System.Text;

namespace ServerDashboard.Notifications;

/// <summary>What one round of sending gave: delivered (2xx), a permanent refusal (4xx but 408/429), or worth retrying.</summary>
/// <param name="StatusCodes">Each HTTP request of the round (the resilience handler's retries included); 0 = no response.</param>
public sealed record SendResult(bool Delivered, bool Permanent, int? StatusCode, IReadOnlyList<int> StatusCodes, string? Error);

/// <summary>
/// Sends one delivery through the "webhooks" HttpClient, whose resilience handler owns the per-request timeout and the
/// quick retries of transient failures (see <see cref="NotificationsServiceCollectionExtensions"/>). Every request of a
/// round carries the same body, <c>X-ServerDashboard-Delivery</c> id and signature.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, ILogger<WebhookSender> logger)
{
    public const string ClientName = "webhooks";
    public const string EventHeader = "X-ServerDashboard-Event";
    public const string DeliveryHeader = "X-ServerDashboard-Delivery";
    public const string SignatureHeader = "X-ServerDashboard-Signature";

    private static readonly ProductInfoHeaderValue UserAgent = new("ServerDashboard-Webhook", typeof(WebhookSender).Assembly.GetName().Version?.ToString(3) ?? "1.0");

    public async Task<SendResult> SendAsync(string url, string eventName, string deliveryId, string body, string? secret, CancellationToken cancellationToken)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Add(EventHeader, eventName);
        request.Headers.Add(DeliveryHeader, deliveryId);
        if (!string.IsNullOrEmpty(secret))
        {
            request.Headers.Add(SignatureHeader, WebhookSignature.Sign(bytes, secret));
        }

        var attempts = new AttemptLog();
        request.Options.Set(AttemptLog.Key, attempts);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            int code = (int)response.StatusCode;
            var codes = attempts.Codes is { Count: > 0 } seen ? seen : [code];
            if (response.IsSuccessStatusCode)
            {
                return new SendResult(true, false, code, codes, null);
            }

            bool permanent = code is >= 400 and < 500 and not 408 and not 429;
            logger.LogWarning("Webhook delivery {DeliveryId} ({Event}) to {Url}: HTTP {Status}{Permanent}", deliveryId, eventName,
                WebhookUrls.ForLog(url), code, permanent ? " (not retried: the receiver refused it)" : "");
            return new SendResult(false, permanent, code, codes, $"HTTP {code} {response.ReasonPhrase}".Trim());
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // No response (refused, unreachable, timed out): transient by nature; the queue tries again later.
            string error = ex is Polly.Timeout.TimeoutRejectedException or TaskCanceledException
                ? "timed out (no response within the time limit)"
                : (ex.InnerException?.Message ?? ex.Message);
            logger.LogWarning("Webhook delivery {DeliveryId} ({Event}) to {Url} failed: {Error}", deliveryId, eventName, WebhookUrls.ForLog(url), error);
            var codes = attempts.Codes is { Count: > 0 } seen ? seen : [0];
            return new SendResult(false, false, null, codes, error);
        }
    }
}

/// <summary>The status code of each request of one round, filled by <see cref="AttemptRecorder"/>.</summary>
internal sealed class AttemptLog
{
    public static readonly HttpRequestOptionsKey<AttemptLog> Key = new("ServerDashboard.Webhooks.AttemptLog");

    private readonly Lock sync = new();
    private readonly List<int> codes = [];

    public IReadOnlyList<int> Codes
    {
        get
        {
            lock (sync)
            {
                return codes.ToList();
            }
        }
    }

    public void Add(int code)
    {
        lock (sync)
        {
            codes.Add(code);
        }
    }
}

/// <summary>Sits inside the resilience handler, so it sees every request it sends (the retries too).</summary>
internal sealed class AttemptRecorder : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(AttemptLog.Key, out var log);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            log?.Add((int)response.StatusCode);
            return response;
        }
        catch
        {
            log?.Add(0);
            throw;
        }
    }
}
