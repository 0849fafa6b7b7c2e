using System.Net;

namespace SampleGameServer;

public enum RconStyle
{
    /// <summary>Like a vanilla Minecraft server (the default).</summary>
    Minecraft,

    /// <summary>Like Valve's srcds (empty-packet trick, two-packet auth reply).</summary>
    Source,
}

public sealed record RconOptions(int Port, string Password, RconStyle Style);

public sealed record ServerOptions(
    int Port,
    string Name,
    IPAddress Host,
    TimeSpan ReadyDelay,
    TimeSpan HeartbeatInterval,
    bool IgnoreSigterm,
    bool SpawnChild,
    RconOptions? Rcon)
{
    public const int MaxPlayers = 20;
}
