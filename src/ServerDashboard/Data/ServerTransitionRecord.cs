namespace ServerDashboard.Data;

/// <summary>One stored state change of a server (<c>ServerTransitions</c> table): kept across dashboard restarts.</summary>
public sealed class ServerTransitionRecord
{
    public long Id { get; set; }

    public int ServerId { get; set; }

    public string From { get; set; } = "";

    public string To { get; set; } = "";

    public string? Reason { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>A user name, <c>apikey:&lt;name&gt;</c>, or <c>system</c>.</summary>
    public string Actor { get; set; } = "";
}
