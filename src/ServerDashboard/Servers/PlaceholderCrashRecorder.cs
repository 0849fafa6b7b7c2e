namespace ServerDashboard.Servers;

// MERGE NOTE: a placeholder for the crash-records branch's SQLite recorder; delete this file (and its one
// registration line in SupervisionServiceCollectionExtensions) when that branch is merged.

/// <summary>Logs crash reports until the SQLite crash recorder is registered (TryAdd: the real one wins).</summary>
public sealed class PlaceholderCrashRecorder(ILogger<PlaceholderCrashRecorder> logger) : ICrashRecorder
{
    public Task RecordAsync(CrashReport report, CancellationToken cancellationToken)
    {
        logger.LogInformation("Server {ServerId} crash ({Classification}): {Description}, uptime {Uptime} s", report.ServerId,
            report.Classification, Text.LogText.Escape(report.Description), report.UptimeSeconds);
        return Task.CompletedTask;
    }
}

public static class PlaceholderCrashRecorderRegistration
{
    public static IServiceCollection AddPlaceholderCrashRecorder(this IServiceCollection services)
    {
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<ICrashRecorder, PlaceholderCrashRecorder>(services);
        return services;
    }
}
