using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>
/// Checks a definition's argv[0] when it is saved, with the resolver the launcher uses, so a typo is a form error
/// instead of a daemon that never starts.
/// </summary>
public sealed class ProgramChecker(ExecutableResolver resolver)
{
    /// <param name="workingDirectory">Resolves relative paths such as <c>./run.sh</c>; null when not known yet.</param>
    /// <param name="searchPath">The PATH the server will get; null for the dashboard's own.</param>
    /// <returns>Null when the program can be run, else what is wrong.</returns>
    public string? Check(string program, string? workingDirectory, string? searchPath)
    {
        if (program.Contains('/') && !Path.IsPathRooted(program) && workingDirectory is null)
        {
            return $"'{program}' is relative: set a working directory, or use an absolute path.";
        }

        var path = Path.IsPathRooted(program) || workingDirectory is null ? program : Path.GetFullPath(program, workingDirectory);
        if (program.Contains('/') && Directory.Exists(path))
        {
            return $"'{path}' is a directory, not a program.";
        }

        try
        {
            resolver.Resolve(program, workingDirectory ?? "/", searchPath ?? Environment.GetEnvironmentVariable("PATH"));
            return null;
        }
        catch (DaemonLaunchException ex)
        {
            return char.ToUpperInvariant(ex.Message[0]) + ex.Message[1..] + ".";
        }
    }
}
