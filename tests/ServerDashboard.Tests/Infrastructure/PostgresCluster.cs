using System.Diagnostics;
using ServerDashboard.Testing;

namespace ServerDashboard.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL cluster for this test run: <c>initdb</c> into a temp directory, <c>pg_ctl</c> on a free loopback
/// port with its socket in that directory; never the machine's shared cluster. Started on first use, stopped when the
/// test process exits. Debian's server binaries live in /usr/lib/postgresql/&lt;version&gt;/bin (not on PATH).
/// </summary>
public sealed class PostgresCluster
{
    private static readonly Lazy<PostgresCluster> SharedCluster = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string binDirectory;

    private PostgresCluster(string directory, string binDirectory, int port)
    {
        Directory = directory;
        this.binDirectory = binDirectory;
        Port = port;
    }

    /// <summary>The cluster of this test process.</summary>
    public static PostgresCluster Shared => SharedCluster.Value;

    public string Directory { get; }

    public int Port { get; }

    /// <summary>
    /// As the superuser (trust authentication on loopback). Idle connections leave the pool after a few seconds: each test's
    /// dashboard has its own database, and dozens of pools would otherwise hold on to the server's connection slots.
    /// </summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Password=unused-with-trust;" +
        "Connection Idle Lifetime=5;Connection Pruning Interval=1;Timeout=30;Command Timeout=60";

    private static PostgresCluster Start()
    {
        var bin = FindBinDirectory();
        var directory = System.IO.Directory.CreateTempSubdirectory("sd-pg-").FullName;
        var port = FreePort.Next();
        var cluster = new PostgresCluster(directory, bin, port);
        // initdb refuses to run as root: the server runs as Debian's postgres user, which must own the directory.
        if (Environment.UserName == "root")
        {
            Run("chown", ["postgres:postgres", directory]);
        }

        var data = Path.Combine(directory, "data");
        cluster.RunAsServerUser("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"]);
        // fsync off and a small footprint: a throwaway cluster; enough connections for every test's pool at once.
        var settings = $"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off -c synchronous_commit=off " +
                       "-c full_page_writes=off -c max_connections=400 -c shared_buffers=32MB";
        cluster.RunAsServerUser("pg_ctl", ["-D", data, "-l", Path.Combine(directory, "server.log"), "-o", settings, "-w", "-t", "60", "start"]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        return cluster;
    }

    private void Stop()
    {
        try
        {
            RunAsServerUser("pg_ctl", ["-D", Path.Combine(Directory, "data"), "-m", "immediate", "-w", "stop"]);
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Best effort at exit; the directory is under /tmp.
        }
    }

    private static string FindBinDirectory()
    {
        var root = "/usr/lib/postgresql";
        var versions = System.IO.Directory.Exists(root)
            ? System.IO.Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).ToList()
            : [];
        return versions.Count > 0
            ? Path.Combine(versions[0], "bin")
            : throw new InvalidOperationException(
                $"{TestStore.EnvironmentVariable}=1 needs the PostgreSQL server binaries (apt-get install -y postgresql): no {root}/<version>/bin/initdb.");
    }

    private void RunAsServerUser(string tool, IReadOnlyList<string> args)
    {
        var path = Path.Combine(binDirectory, tool);
        if (Environment.UserName == "root")
        {
            // setpriv execs in place (no shell, no PAM session); HOME is set so the tools do not look in /root.
            Run("setpriv", ["--reuid=postgres", "--regid=postgres", "--clear-groups", "--reset-env", path, .. args]);
        }
        else
        {
            Run(path, args);
        }
    }

    private static void Run(string file, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish within 2 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        }
    }
}
