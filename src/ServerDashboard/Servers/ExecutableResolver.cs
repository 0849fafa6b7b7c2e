namespace ServerDashboard.Servers;

/// <summary>Finds the program of an argv the way execvp would, so a definition is checked before it is ever launched.</summary>
public sealed class ExecutableResolver
{
    public readonly record struct Resolution(string? Path, string? Error);

    /// <param name="program">argv[0]</param>
    /// <param name="workingDirectory">Resolves relative paths such as <c>./run.sh</c>; null when not known yet.</param>
    /// <param name="searchPath">The PATH the server will get; null for the dashboard's own.</param>
    public Resolution Resolve(string program, string? workingDirectory, string? searchPath)
    {
        if (program.Contains('/'))
        {
            var full = Path.IsPathRooted(program)
                ? program
                : workingDirectory is null ? null : Path.GetFullPath(Path.Combine(workingDirectory, program));
            if (full is null)
            {
                return new(null, $"'{program}' is relative: set a working directory, or use an absolute path.");
            }

            return IsExecutableFile(full, out var why) ? new(full, null) : new(null, $"'{full}' {why}.");
        }

        var path = searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (IsExecutableFile(candidate, out _))
            {
                return new(candidate, null);
            }
        }

        return new(null, $"'{program}' was not found on PATH ({path}).");
    }

    private static bool IsExecutableFile(string path, out string why)
    {
        if (Directory.Exists(path))
        {
            why = "is a directory, not a program";
            return false;
        }

        if (!File.Exists(path))
        {
            why = "does not exist";
            return false;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((File.GetUnixFileMode(path) & anyExecute) == 0)
        {
            why = "is not executable (chmod +x it)";
            return false;
        }

        why = "";
        return true;
    }
}
