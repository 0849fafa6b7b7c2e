using System.Globalization;
using ServerDashboard.Data;
using ServerDashboard.Hosting;
using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>
/// Turns a stored definition into what the daemon launcher runs: placeholders expanded, a sanitized environment,
/// the server's own directory, its console log and stdin FIFO.
/// </summary>
public sealed class LaunchPlanner(DataDirectory dataDirectory, UnixUsers users)
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public string ServerDirectory(int serverId) => ServerPaths.ServerDirectory(dataDirectory.Path, serverId);

    public string ConsoleLogPath(int serverId) => Path.Combine(ServerDirectory(serverId), "console.log");

    /// <summary>
    /// console.log for reading, never through a symbolic link (the game may have planted one): FileNotFoundException when
    /// it does not exist, <see cref="UnsafeFileException"/> when it is refused.
    /// </summary>
    public FileStream OpenConsoleLog(int serverId) => SafeFileOpener.OpenRead(ServerDirectory(serverId), ConsoleLogPath(serverId));

    public string StdinFifoPath(int serverId) =>
        Path.Combine(dataDirectory.RunDirectory, serverId.ToString(CultureInfo.InvariantCulture) + ".stdin");

    /// <summary>The directory the daemon runs in (extra log files are relative to it): its own directory unless set.</summary>
    public string WorkingDirectoryOf(ServerDefinition server) => string.IsNullOrWhiteSpace(server.WorkingDirectory)
        ? ServerDirectory(server.Id)
        : Placeholders.Expand(server.WorkingDirectory, ValuesFor(server));

    /// <summary>The server's argv with placeholders expanded: what /proc/&lt;pid&gt;/cmdline shows while it runs.</summary>
    public IReadOnlyList<string> ExpandArgv(ServerDefinition server)
    {
        var values = ValuesFor(server);
        return server.Command.Select(arg => Placeholders.Expand(arg, values)).ToList();
    }

    public ServerStartRequest Plan(ServerDefinition server)
    {
        var serverDir = ServerDirectory(server.Id);
        Directory.CreateDirectory(serverDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var values = ValuesFor(server);
        var argv = ExpandArgv(server);
        var workingDirectory = WorkingDirectoryOf(server);
        if (workingDirectory.StartsWith(serverDir, StringComparison.Ordinal))
        {
            Directory.CreateDirectory(workingDirectory);
        }

        var spec = new DaemonSpec(
            argv,
            workingDirectory,
            BuildEnvironment(server, values),
            ConsoleLogPath(server.Id),
            StdinFifoPath(server.Id),
            new ResourceLimits(server.MaxOpenFiles, server.MaxMemoryMb, server.MaxCpuPercent, server.MaxProcesses),
            server.RunAsUser)
        {
            DisplayArgv = RedactedCommand(server), // what logs show: {rconPassword} stays a placeholder
        };
        return new ServerStartRequest(
            server.Id.ToString(CultureInfo.InvariantCulture),
            server.Name,
            spec,
            server.Port,
            server.RconEnabled ? server.RconPort : null,
            server.RconEnabled ? server.RconPassword : null);
    }

    /// <summary>The configured argv with any secret typed in literally (RCON password, secret environment values) masked.</summary>
    public static IReadOnlyList<string> RedactedCommand(ServerDefinition server)
    {
        var secrets = server.SecretEnvironmentKeys.Select(k => server.Environment.GetValueOrDefault(k))
            .Append(server.RconPassword)
            .OfType<string>().Where(v => v.Length > 0).Distinct().ToList();
        return server.Command.Select(arg => secrets.Aggregate(arg, (text, secret) => text.Replace(secret, "***", StringComparison.Ordinal))).ToList();
    }

    private PlaceholderValues ValuesFor(ServerDefinition server) =>
        new(server.Port, server.RconPort, server.RconPassword, ServerDirectory(server.Id), dataDirectory.Path, server.MaxMemoryMb);

    /// <summary>
    /// A small, predictable base (the dashboard's own variables, e.g. ASPNETCORE_* or secrets, are not inherited),
    /// then the definition's variables, which win.
    /// </summary>
    private Dictionary<string, string> BuildEnvironment(ServerDefinition server, PlaceholderValues values)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : DefaultPath,
            ["LANG"] = System.Environment.GetEnvironmentVariable("LANG") is { Length: > 0 } lang ? lang : "C.UTF-8",
            ["HOME"] = (server.RunAsUser is { } user ? users.HomeOf(user) : null)
                ?? (System.Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : "/"),
            ["TERM"] = "dumb",
        };
        if (System.Environment.GetEnvironmentVariable("TZ") is { Length: > 0 } tz)
        {
            environment["TZ"] = tz;
        }

        foreach (var (key, value) in server.Environment)
        {
            environment[key] = Placeholders.Expand(value, values);
        }

        return environment;
    }
}
