using Serilog;
using Serilog.Extensions.Logging;

namespace ServerDashboard.Hosting;

/// <summary>
/// Serilog from configuration (the "Serilog" section: levels, extra sinks) plus two sinks set here:
/// the console, and a daily file under &lt;dataDir&gt;/logs. Serilog.AspNetCore is unavailable on this registry,
/// so request logging is our own middleware (<see cref="RequestLogging"/>).
/// </summary>
public static class SerilogSetup
{
    public static ILoggerProvider CreateProvider(IConfiguration configuration, DataDirectory dataDirectory)
    {
        var retained = configuration.GetValue("Dashboard:Logging:RetainedFileCount", 14);
        // CLI commands print their result on stdout, so their log lines go to stderr.
        var consoleToStdErr = configuration.GetValue("Dashboard:Logging:ConsoleToStdErr", false);
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: consoleToStdErr ? Serilog.Events.LogEventLevel.Verbose : null)
            .WriteTo.File(
                Path.Combine(dataDirectory.LogsDirectory, "dashboard-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: retained,
                hooks: new PrivateLogFiles(),
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        return new SerilogLoggerProvider(logger, dispose: true);
    }
}

/// <summary>Each log file the sink opens (a new one every day) becomes 0600: Serilog creates them with the umask's 0644.</summary>
internal sealed class PrivateLogFiles : Serilog.Sinks.File.FileLifecycleHooks
{
    public override Stream OnFileOpened(string path, Stream underlyingStream, System.Text.Encoding encoding)
    {
        try
        {
            Processes.PrivateFiles.RestrictFile(path);
        }
        catch (IOException)
        {
            // Logging must go on; StartupTasks narrows existing files again at the next start.
        }

        return underlyingStream;
    }
}
