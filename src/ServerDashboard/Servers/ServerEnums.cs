namespace ServerDashboard.Servers;

/// <summary>How a server is asked to stop before it is killed.</summary>
public enum StopMode
{
    Rcon,
    SigTerm,
    SigInt,
}

/// <summary>What the dashboard does when a server stays over its CPU warning or memory limit (docs/supervision.md).</summary>
public enum LimitAction
{
    /// <summary>Raise a warning (shown, pushed, audited).</summary>
    Warn,
    /// <summary>Warn, then restart the server.</summary>
    Restart,
}

public enum RestartPolicy
{
    No,
    OnFailure,
    Always,
    UnlessStopped,
}
