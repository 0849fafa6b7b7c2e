using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace ServerDashboard.Hosting;

/// <summary>
/// The dashboard's logging: Serilog from configuration (the "Serilog" section: levels, overrides, extra sinks) plus two
/// sinks set here, the console and a daily file under &lt;dataDir&gt;/logs, both in the format
/// <see cref="LoggingOptions.Format"/> names (text for people, compact JSON for log shippers).
/// </summary>
public static class SerilogSetup
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static IServiceCollection AddDashboardLogging(this IServiceCollection services) =>
        // preserveStaticLogger: the static Log.Logger stays untouched, so several hosts in one process (the tests) each
        // log through their own pipeline, and disposing one host does not silence the others.
        services.AddSerilog((sp, logger) => Configure(
            logger,
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<IOptions<DashboardOptions>>().Value.Logging,
            sp.GetRequiredService<DataDirectory>()),
            preserveStaticLogger: true);

    public static LoggerConfiguration Configure(LoggerConfiguration logger, IConfiguration configuration, LoggingOptions options, DataDirectory dataDirectory)
    {
        // CLI commands print their result on stdout, so their log lines go to stderr.
        LogEventLevel? toStdErr = options.ConsoleToStdErr ? LogEventLevel.Verbose : null;
        // PrivateLogFiles: the log files are 0600 from their first byte (they name users, servers and addresses).
        logger.ReadFrom.Configuration(configuration).Enrich.FromLogContext();
        var file = Path.Combine(dataDirectory.LogsDirectory, "dashboard-.log");
        if (options.Format == LogFormat.Json)
        {
            // One JSON object per line ({"@t":..,"@mt":..,"@l":..}): what Vector, Fluent Bit, Promtail and Seq ingest.
            logger.WriteTo.Console(new CompactJsonFormatter(), standardErrorFromLevel: toStdErr)
                .WriteTo.File(new CompactJsonFormatter(), file, rollingInterval: RollingInterval.Day, retainedFileCountLimit: options.RetainedFileCount, hooks: new PrivateLogFiles());
        }
        else
        {
            logger.WriteTo.Console(outputTemplate: ConsoleTemplate, standardErrorFromLevel: toStdErr)
                .WriteTo.File(file, rollingInterval: RollingInterval.Day, retainedFileCountLimit: options.RetainedFileCount, hooks: new PrivateLogFiles(), outputTemplate: FileTemplate);
        }

        return logger;
    }

    /// <summary>
    /// One line per request: API calls at Information, everything else (pages, assets, the Blazor and hub transports) at
    /// Debug, failures at Error. The path is logged without its query string: a hub connection carries its access token there.
    /// </summary>
    public static IApplicationBuilder UseDashboardRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            // This host's logger, not the static one (see AddDashboardLogging).
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
            options.IncludeQueryInRequestPath = false;
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            // The path arrives decoded: a %0A in it would otherwise start a forged log line.
            options.GetMessageTemplateProperties = (context, path, elapsed, status) =>
            [
                new("RequestMethod", new ScalarValue(Text.LogText.Escape(context.Request.Method, 20))),
                new("RequestPath", new ScalarValue(Text.LogText.Escape(path))),
                new("StatusCode", new ScalarValue(status)),
                new("Elapsed", new ScalarValue(elapsed)),
            ];
            options.GetLevel = (context, _, exception) =>
                exception is not null || context.Response.StatusCode >= StatusCodes.Status500InternalServerError ? LogEventLevel.Error
                : context.Request.Path.StartsWithSegments("/api") ? LogEventLevel.Information
                : LogEventLevel.Debug;
        });
}

/// <summary>The console and file format of the dashboard's own log.</summary>
public enum LogFormat
{
    /// <summary>One readable line per event (the default).</summary>
    Text,

    /// <summary>Compact JSON (CLEF), one object per line, for log shippers.</summary>
    Json,
}

/// <summary>The "Dashboard:Logging" configuration section.</summary>
public sealed class LoggingOptions
{
    public LogFormat Format { get; set; } = LogFormat.Text;

    /// <summary>Daily log files kept under &lt;dataDir&gt;/logs.</summary>
    public int RetainedFileCount { get; set; } = 14;

    /// <summary>Set by the CLI commands: their own output is stdout, so log lines go to stderr.</summary>
    public bool ConsoleToStdErr { get; set; }
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
