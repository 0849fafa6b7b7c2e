namespace ServerDashboard.Hosting;

/// <summary>
/// The resolved data directory (absolute) and its well-known files. Created with mode 0700 on first use:
/// it holds the database, PID files with RCON passwords and the data-protection keys.
/// </summary>
public sealed class DataDirectory
{
    /// <param name="pidDirectory">Dashboard:Processes:PidDirectory; relative to <paramref name="path"/>; default <c>run</c>.</param>
    public DataDirectory(string path, string? pidDirectory = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        RunDirectory = System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(pidDirectory) ? "run" : pidDirectory, Path);
        if (!Directory.Exists(Path))
        {
            Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Path { get; }

    public string DatabaseFile => System.IO.Path.Combine(Path, "dashboard.db");

    public string LogsDirectory => System.IO.Path.Combine(Path, "logs");

    public string KeysDirectory => System.IO.Path.Combine(Path, "keys");

    public string ServersDirectory => System.IO.Path.Combine(Path, "servers");

    /// <summary>PID files, launch records and stdin FIFOs.</summary>
    public string RunDirectory { get; }

    public string ConnectionString => $"Data Source={DatabaseFile}";
}
