namespace ServerDashboard.Rcon;

/// <summary>Where and how to reach one server's RCON. Kept in memory only; <see cref="ToString"/> hides the password.</summary>
public sealed record RconTarget(string Host, int Port, string Password)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>Finds a server's RCON target; null when the server is unknown or has RCON off.</summary>
public delegate Task<RconTarget?> RconTargetLookup(int serverId, CancellationToken cancellationToken);
