namespace ServerDashboard.Rcon;

/// <summary>RCON client limits, bound from the <c>Rcon</c> configuration section.</summary>
public sealed class RconOptions
{
    public const string SectionName = "Rcon";

    /// <summary>False: the dashboard never talks RCON (DAEMON_ENABLE_RCON): every server is treated as having RCON off, so
    /// console commands go to stdin and an RCON stop mode falls back to SIGTERM.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Connect attempts after the first for a refused/reset connection (DAEMON_RCON_RETRY_ATTEMPTS); null: as many as
    /// <see cref="ReconnectTimeout"/> allows.</summary>
    public int? RetryAttempts { get; set; }

    /// <summary>TCP connect limit for one attempt.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Limit for the auth exchange and for each command (queueing behind another command included).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Servers without the empty-packet trick (Minecraft): how long to wait for another fragment after a full one
    /// before the reply counts as complete. Fragments of one reply are written back to back, so this is generous.
    /// </summary>
    public TimeSpan FragmentIdleTimeout { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// A Source server answers auth with an empty RESPONSE_VALUE then the AUTH_RESPONSE, written together; if only the
    /// RESPONSE_VALUE comes, wait this long for the AUTH_RESPONSE before taking the RESPONSE_VALUE as the answer.
    /// </summary>
    public TimeSpan AuthFollowUpTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><see cref="RconConnections"/>: how long to keep retrying a refused/reset connect (a restarting server).</summary>
    public TimeSpan ReconnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Largest reply accepted for one command (bytes of body, all fragments together). A bigger reply fails the command with
    /// <see cref="RconReplyTooLargeException"/> and the connection is reset: a hostile or broken server cannot make the
    /// dashboard buffer (and an HTTP response carry) hundreds of megabytes.
    /// </summary>
    public int MaxReplyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How many recent command durations the latency figures are computed over.</summary>
    public int LatencySamples { get; set; } = 1000;
}
