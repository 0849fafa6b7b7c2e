namespace ServerDashboard.Servers;

public enum PowerOutcome
{
    /// <summary>The action was carried out (or is under way): see the status.</summary>
    Accepted,
    NotFound,
    /// <summary>Not possible now; <see cref="PowerResult.Reason"/> says why.</summary>
    Conflict,
}

public sealed record PowerResult(PowerOutcome Outcome, ServerStatus Status, string? Reason = null)
{
    public static PowerResult Conflict(ServerStatus status, string reason) => new(PowerOutcome.Conflict, status, reason);
}
