using System.Globalization;

namespace ServerDashboard.Hosting;

/// <summary>One of the seed design's <c>DAEMON_*</c> environment variables and the option it sets.</summary>
/// <param name="Key">The configuration key it sets (the native spelling, e.g. <c>Dashboard__Monitoring__IntervalSeconds</c> as an environment variable).</param>
/// <param name="Convert">Turns the variable's text into the option's value, or throws <see cref="FormatException"/> saying what is expected.</param>
public sealed record DaemonVariable(string Name, string Key, Func<string, string> Convert);

/// <summary>
/// The seed's <c>DAEMON_*</c> variables, each an alias of a <c>Dashboard:*</c> (or <c>Rcon:*</c>, <c>Serilog:*</c>) option
/// (table in docs/configuration.md). A value is checked here, so a bad one names the variable the admin actually set.
/// </summary>
public static class DaemonVariables
{
    public static IReadOnlyList<DaemonVariable> All { get; } =
    [
        new("DAEMON_MONITORING_INTERVAL", "Dashboard:Monitoring:IntervalSeconds", v => WholeNumber(v, 1, 86_400, "seconds")),
        new("DAEMON_STARTUP_TIMEOUT", "Dashboard:Monitoring:StartupTimeoutSeconds", v => WholeNumber(v, 1, 86_400, "seconds")),
        new("DAEMON_ENABLE_MONITORING", "Dashboard:Monitoring:Enabled", Boolean),
        new("DAEMON_MAX_MEMORY_MB", "Dashboard:ServerDefaults:MaxMemoryMb", v => WholeNumber(v, 1, 16 * 1024 * 1024, "megabytes")),
        new("DAEMON_MAX_CPU_PERCENT", "Dashboard:ServerDefaults:MaxCpuPercent", v => WholeNumber(v, 1, 100 * 1024, "percent of one core")),
        new("DAEMON_MAX_OPEN_FILES", "Dashboard:ServerDefaults:MaxOpenFiles", v => WholeNumber(v, 16, 1 << 30, "files")),
        new("DAEMON_LOG_ROTATION_SIZE", "Dashboard:Logs:MaxSizeMb", Megabytes),
        new("DAEMON_RCON_TIMEOUT", "Rcon:CommandTimeout", v => Duration(v)),
        new("DAEMON_RCON_RETRY_ATTEMPTS", "Rcon:RetryAttempts", v => WholeNumber(v, 0, 1000, "attempts")),
        new("DAEMON_ENABLE_RCON", "Rcon:Enabled", Boolean),
        new("DAEMON_ENABLE_AUTO_RECOVERY", "Dashboard:Supervision:AutoRestart", Boolean),
        new("DAEMON_RECOVERY_TIMEOUT", "Dashboard:Supervision:CrashLoopWindowSeconds", v => WholeNumber(v, 1, 7 * 86_400, "seconds")),
        new("DAEMON_MAX_RECOVERY_ATTEMPTS", "Dashboard:Supervision:CrashLoopMaxRestarts", v => WholeNumber(v, 1, 10_000, "restarts")),
        new("DAEMON_PID_DIRECTORY", "Dashboard:Processes:PidDirectory", Path),
        new("DAEMON_ENABLE_PERSISTENCE", "Dashboard:Processes:Persistence", Persistence),
        new("DAEMON_MODE", "Dashboard:Processes:LaunchMode", LaunchMode),
        new("DAEMON_LOG_LEVEL", "Serilog:MinimumLevel:Default", LogLevel),
    ];

    private static string WholeNumber(string value, int min, int max, string unit)
    {
        if (!int.TryParse(value.Trim(), NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var number)
            || number < min || number > max)
        {
            throw new FormatException($"expected a whole number of {unit} from {min} to {max}");
        }

        return number.ToString(CultureInfo.InvariantCulture);
    }

    private static string Boolean(string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => "true",
        "false" or "0" or "no" or "off" => "false",
        _ => throw new FormatException("expected true or false (also 1/0, yes/no, on/off)"),
    };

    /// <summary>Seconds, like the seed's other timeouts; a fraction is allowed (<c>2.5</c>).</summary>
    private static string Duration(string value)
    {
        if (!double.TryParse(value.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds < 0.1 || seconds > 3600)
        {
            throw new FormatException("expected a number of seconds from 0.1 to 3600");
        }

        return TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);
    }

    /// <summary>A size: whole megabytes (<c>100</c>) or with a unit (<c>512K</c>, <c>100MB</c>, <c>1G</c>, <c>10485760B</c>); rounded up to whole MB.</summary>
    private static string Megabytes(string value)
    {
        var text = value.Trim().ToUpperInvariant();
        var digits = text.TakeWhile(char.IsAsciiDigit).Count();
        var unit = text[digits..].Trim();
        long factor = unit switch
        {
            "" or "M" or "MB" or "MIB" => 1024 * 1024,
            "B" => 1,
            "K" or "KB" or "KIB" => 1024,
            "G" or "GB" or "GIB" => 1024 * 1024 * 1024,
            _ => 0,
        };
        if (digits == 0 || factor == 0 || !long.TryParse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            || amount == 0 || amount > long.MaxValue / factor)
        {
            throw new FormatException("expected a size such as 100 (megabytes), 100MB, 512K or 1G");
        }

        var megabytes = (amount * factor + (1024 * 1024 - 1)) / (1024 * 1024);
        if (megabytes > 1024 * 1024)
        {
            throw new FormatException("expected a size of at most 1 TB");
        }

        return megabytes.ToString(CultureInfo.InvariantCulture);
    }

    private static string Path(string value) =>
        string.IsNullOrWhiteSpace(value) || value.Contains('\0')
            ? throw new FormatException("expected a directory path")
            : value.Trim();

    /// <summary>PID files on disk are what lets a server outlive the dashboard; turning them off would lose servers.</summary>
    private static string Persistence(string value) =>
        Boolean(value) == "true"
            ? "true"
            : throw new FormatException("PID files cannot be turned off: they are how servers survive a dashboard restart (set it to true or leave it unset)");

    private static string LaunchMode(string value) => ProcessLaunchModes.Normalize(value)
        ?? throw new FormatException("expected posix_spawn or double_fork");

    /// <summary>Serilog's level names, plus the spellings other tools use (info, warn, critical...).</summary>
    private static string LogLevel(string value) => value.Trim().ToLowerInvariant() switch
    {
        "verbose" or "trace" => "Verbose",
        "debug" => "Debug",
        "information" or "info" => "Information",
        "warning" or "warn" => "Warning",
        "error" => "Error",
        "fatal" or "critical" => "Fatal",
        _ => throw new FormatException("expected one of trace, debug, info, warning, error, critical"),
    };
}

/// <summary>The accepted values of <c>Dashboard:Processes:LaunchMode</c> (<c>DAEMON_MODE</c>).</summary>
public static class ProcessLaunchModes
{
    public const string PosixSpawn = "posix_spawn";
    public const string DoubleFork = "double_fork";

    public static string? Normalize(string? value) => value?.Trim().ToLowerInvariant().Replace('-', '_') switch
    {
        PosixSpawn or "posixspawn" => PosixSpawn,
        DoubleFork or "doublefork" => DoubleFork,
        _ => null,
    };
}
