using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>Resolves argv[0] the way execvp would, but in the dashboard, so a typo becomes a clear error instead of a dead daemon.</summary>
public sealed class ExecutableResolver
{
    private const string DefaultSearchPath = "/usr/local/bin:/usr/bin:/bin";

    /// <param name="program">A bare name (searched on <paramref name="searchPath"/>) or a path (relative ones are taken from <paramref name="workingDirectory"/>).</param>
    public string Resolve(string program, string workingDirectory, string? searchPath)
    {
        if (string.IsNullOrWhiteSpace(program))
        {
            throw new DaemonLaunchException("the command is empty");
        }

        if (program.Contains('/'))
        {
            string path = Path.GetFullPath(program, workingDirectory);
            if (!File.Exists(path))
            {
                throw new DaemonLaunchException($"'{program}' not found (looked at {path})");
            }

            return IsExecutable(path) ? path : throw new DaemonLaunchException($"'{path}' is not executable (check its mode: chmod +x)");
        }

        string effectivePath = string.IsNullOrEmpty(searchPath) ? DefaultSearchPath : searchPath;
        string? notExecutable = null;
        foreach (string dir in effectivePath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            // A relative PATH entry would depend on the daemon's cwd: never resolve through one.
            if (!Path.IsPathRooted(dir))
            {
                continue;
            }

            string candidate = Path.Combine(dir, program);
            if (!File.Exists(candidate))
            {
                continue;
            }

            if (IsExecutable(candidate))
            {
                return candidate;
            }

            notExecutable ??= candidate;
        }

        throw notExecutable is null
            ? new DaemonLaunchException($"'{program}' not found on PATH ({effectivePath})")
            : new DaemonLaunchException($"'{notExecutable}' is not executable (check its mode: chmod +x)");
    }

    private static bool IsExecutable(string path) => LinuxNative.access(path, LinuxNative.X_OK) == 0;
}
