using System.Runtime.InteropServices;

namespace ServerDashboard.Hosting;

/// <summary>
/// SIGHUP reloads the configuration (<see cref="IConfigurationRoot.Reload"/>). Serilog's minimum levels
/// (<c>Serilog:MinimumLevel:*</c>) follow a reload at once; every other changed setting is read at start-up only, and is
/// logged as needing a restart. Without this registration SIGHUP's default action would end the process.
/// </summary>
public sealed class ConfigurationReload(IConfiguration configuration, ILogger<ConfigurationReload> logger) : IHostedService, IDisposable
{
    /// <summary>Settings whose new value takes effect without a restart.</summary>
    public static readonly IReadOnlyList<string> ReloadablePrefixes = ["Serilog:MinimumLevel"];

    private PosixSignalRegistration? registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsLinux())
        {
            registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true; // handled: do not terminate
                Reload();
            });
        }

        return Task.CompletedTask;
    }

    /// <summary>Reloads every configuration source; returns the changed keys (reloaded, and needing a restart).</summary>
    public (IReadOnlyList<string> Applied, IReadOnlyList<string> NeedRestart) Reload()
    {
        if (configuration is not IConfigurationRoot root)
        {
            logger.LogWarning("SIGHUP: the configuration cannot be reloaded");
            return ([], []);
        }

        var before = Flatten(root);
        root.Reload();
        var after = Flatten(root);
        var changed = before.Keys.Union(after.Keys, StringComparer.OrdinalIgnoreCase)
            .Where(k => !string.Equals(before.GetValueOrDefault(k), after.GetValueOrDefault(k), StringComparison.Ordinal))
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var applied = changed.Where(IsReloadable).ToList();
        var needRestart = changed.Where(k => !IsReloadable(k)).ToList();
        // Key names only: a changed value may be a secret.
        logger.LogInformation("SIGHUP: configuration reloaded; applied: {Applied}; need a restart: {NeedRestart}",
            applied.Count == 0 ? "none" : string.Join(", ", applied), needRestart.Count == 0 ? "none" : string.Join(", ", needRestart));
        return (applied, needRestart);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => registration?.Dispose();

    private static bool IsReloadable(string key) =>
        ReloadablePrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    private static Dictionary<string, string?> Flatten(IConfiguration configuration) =>
        configuration.AsEnumerable().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
}
