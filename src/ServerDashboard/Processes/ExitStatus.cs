namespace ServerDashboard.Processes;

public enum ExitKind
{
    /// <summary>Exited normally with <see cref="ExitStatus.Code"/>.</summary>
    Code,
    /// <summary>Killed by <see cref="ExitStatus.Signal"/>.</summary>
    Signal,
    /// <summary>Not our child (adopted after a dashboard restart): PID 1 reaped it and kept the status.</summary>
    Unknown,
}

/// <summary>How a daemon ended, as far as the dashboard can know.</summary>
public sealed record ExitStatus(ExitKind Kind, int? Code = null, int? Signal = null)
{
    public static ExitStatus Unknown { get; } = new(ExitKind.Unknown);

    /// <summary>Decodes a waitpid(2) status word (WIFEXITED/WEXITSTATUS, WIFSIGNALED/WTERMSIG).</summary>
    public static ExitStatus FromWaitStatus(int status)
    {
        int signal = status & 0x7f;
        return signal == 0
            ? new ExitStatus(ExitKind.Code, Code: (status >> 8) & 0xff)
            : new ExitStatus(ExitKind.Signal, Signal: signal);
    }

    public override string ToString() => Kind switch
    {
        ExitKind.Code => $"exit code {Code}",
        ExitKind.Signal => $"killed by signal {Signal} ({SignalName(Signal!.Value)})",
        _ => "unknown",
    };

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => "signal " + signal,
    };
}

/// <summary>A tracked daemon's leader exited.</summary>
/// <param name="StopRequested">The dashboard asked it to stop: not a crash.</param>
/// <param name="OomKilled">The kernel's OOM killer killed a process of the server's cgroup for its memory limit during this run.</param>
public sealed record DaemonExit(string ServerId, int Pid, ExitStatus Status, DateTimeOffset DetectedAt, bool WasOurChild, bool StopRequested, bool OomKilled = false);
