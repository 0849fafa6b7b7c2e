namespace ServerDashboard.Servers;

/// <summary>How a server is asked to stop before it is killed.</summary>
public enum StopMode
{
    Rcon,
    SigTerm,
    SigInt,
}

public enum RestartPolicy
{
    No,
    OnFailure,
    Always,
    UnlessStopped,
}
