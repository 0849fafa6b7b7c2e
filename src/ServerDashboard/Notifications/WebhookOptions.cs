namespace ServerDashboard.Notifications;

/// <summary>
/// "Dashboard:Webhooks" (docs/configuration.md). Two layers retry: the HTTP resilience handler retries a transient
/// failure (5xx, 408, 429, no connection, timeout) within one round, a few seconds at most; the persisted queue then
/// retries the round later with exponential backoff, across dashboard restarts.
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Dashboard:Webhooks";

    /// <summary>Each HTTP request gives up after this long.</summary>
    public int TimeoutSeconds { get; set; } = 5;

    /// <summary>Quick retries of a transient failure within one round (the resilience handler's).</summary>
    public int QuickRetries { get; set; } = 2;

    /// <summary>The first quick retry waits this long, the next twice as long (with jitter).</summary>
    public int QuickRetryDelayMilliseconds { get; set; } = 500;

    /// <summary>Rounds the queue takes a delivery up before giving up (marked Failed; Resend queues it again).</summary>
    public int MaxRounds { get; set; } = 10;

    /// <summary>The queue's first wait after a failed round; it doubles each round.</summary>
    public int FirstRetrySeconds { get; set; } = 15;

    /// <summary>The longest wait between two rounds.</summary>
    public int MaxRetrySeconds { get; set; } = 3600;

    /// <summary>Finished deliveries kept in each webhook's log (older ones are deleted).</summary>
    public int KeepDeliveries { get; set; } = 200;

    /// <summary>Deliveries sent at once (to different webhooks or servers; one server's are always in order).</summary>
    public int MaxParallel { get; set; } = 4;

    /// <summary>The wait before round <paramref name="round"/>+1: first × 2^(round−1), capped.</summary>
    public TimeSpan BackoffAfter(int round)
    {
        double seconds = FirstRetrySeconds * Math.Pow(2, Math.Clamp(round - 1, 0, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetrySeconds));
    }
}
