namespace ServerDashboard.Data;

/// <summary>
/// What must survive a dashboard restart about a server's runs: whether it should be running (set by a start,
/// cleared by a user's stop or an exit the restart policy lets stand) and how its last run ended.
/// </summary>
public sealed class ServerRunState
{
    public int ServerId { get; set; }

    public bool ShouldRun { get; set; }

    public string? LastExitKind { get; set; }

    public int? LastExitCode { get; set; }

    public int? LastExitSignal { get; set; }

    public DateTimeOffset? LastExitAt { get; set; }

    public bool LastExitRequested { get; set; }

    public string? LastExitDescription { get; set; }
}
