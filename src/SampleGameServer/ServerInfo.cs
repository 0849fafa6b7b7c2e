using System.Reflection;

namespace SampleGameServer;

public static class ServerInfo
{
    /// <summary>The product version without the "+commit" suffix the SDK appends.</summary>
    public static string Version { get; } =
        (typeof(ServerInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}
