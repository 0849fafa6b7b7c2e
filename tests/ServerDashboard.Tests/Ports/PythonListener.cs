using System.Diagnostics;
using System.Globalization;
using ServerDashboard.Processes;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Tests.Ports;

/// <summary>
/// A foreign process holding a port: Debian's python3 binding a real socket (TCP listening or UDP bound) and printing
/// "ready PORT PID [CHILD]" once it holds it. Optionally ignores SIGTERM, forks a child that shares the socket, or runs
/// as another user (setpriv execs in place: the pid stays). Killed and reaped on dispose.
/// </summary>
public sealed class PythonListener : IDisposable
{
    public const string Python = "/usr/bin/python3";
    private readonly Process process;
    private readonly List<ProcessIdentity> extra = [];

    private PythonListener(Process process, int port, int pid, int? childPid)
    {
        this.process = process;
        Port = port;
        Pid = pid;
        ChildPid = childPid;
        var procFs = new ProcFs();
        foreach (int other in new[] { pid, childPid ?? 0 }.Where(p => p != 0 && p != process.Id))
        {
            if (procFs.TryGetIdentity(other) is { } identity)
            {
                extra.Add(identity);
            }
        }
    }

    public int Port { get; }

    /// <summary>The pid of the python process holding the socket.</summary>
    public int Pid { get; }

    /// <summary>The forked child sharing the socket, when asked for.</summary>
    public int? ChildPid { get; }

    public bool HasExited => new ProcFs().TryReadStat(Pid) is not { } stat || stat.IsZombieOrDead;

    public static string Script(PortProtocol protocol, string address, int port, bool ignoreSigterm, bool fork)
    {
        string family = address.Contains(':') ? "socket.AF_INET6" : "socket.AF_INET";
        string type = protocol == PortProtocol.Udp ? "socket.SOCK_DGRAM" : "socket.SOCK_STREAM";
        return string.Join('\n',
            "import os, signal, socket, sys, time",
            $"s = socket.socket({family}, {type})",
            protocol == PortProtocol.Tcp ? "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)" : "",
            $"s.bind(('{address}', {port.ToString(CultureInfo.InvariantCulture)}))",
            protocol == PortProtocol.Tcp ? "s.listen()" : "",
            ignoreSigterm ? "signal.signal(signal.SIGTERM, signal.SIG_IGN)" : "",
            fork ? "child = os.fork()" : "child = 0",
            "if child == 0 and " + (fork ? "True" : "False") + ":",
            "    time.sleep(1000)",
            "    sys.exit(0)",
            "print('ready', s.getsockname()[1], os.getpid(), child or '', flush=True)",
            "time.sleep(1000)");
    }

    /// <param name="user">Runs the listener as this account (through setpriv).</param>
    /// <param name="workingDirectory">The listener's cwd (a leftover of a server runs in the server's directory).</param>
    /// <param name="shellPrefix">A shell command run first by "sh -c" before the listener is started in the background (pid tricks).</param>
    public static async Task<PythonListener> StartAsync(
        PortProtocol protocol = PortProtocol.Tcp,
        string address = "127.0.0.1",
        int port = 0,
        bool ignoreSigterm = false,
        bool fork = false,
        string? user = null,
        string? shellPrefix = null,
        string? workingDirectory = null)
    {
        string script = Script(protocol, address, port, ignoreSigterm, fork);
        var start = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true, WorkingDirectory = workingDirectory ?? "" };
        if (shellPrefix is not null)
        {
            start.FileName = "/bin/sh";
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"{shellPrefix}; {Python} -c \"$0\" & wait");
            start.ArgumentList.Add(script);
        }
        else if (user is not null)
        {
            start.FileName = "/usr/bin/setpriv";
            foreach (string arg in new[] { "--reuid", user, "--regid", user, "--clear-groups", Python, "-c", script })
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            start.FileName = Python;
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
        }

        var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("ready ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the python listener did not start: '{line}'");
        }

        string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new PythonListener(process, int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture),
            f.Length > 3 ? int.Parse(f[3], CultureInfo.InvariantCulture) : null);
    }

    public void Dispose()
    {
        var handles = new ProcessHandles(new ProcFs());
        foreach (var identity in extra)
        {
            using var pidfd = handles.TryOpenVerified(identity);
            if (pidfd is not null)
            {
                handles.TrySignal(pidfd, LinuxNative.SIGKILL);
            }
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }
}
