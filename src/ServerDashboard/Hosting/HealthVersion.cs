using System.Reflection;

namespace ServerDashboard.Hosting;

/// <summary>The dashboard's version as users see it (informational version without the commit suffix).</summary>
public static class HealthVersion
{
    public static string Current { get; } =
        typeof(HealthVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";
}
