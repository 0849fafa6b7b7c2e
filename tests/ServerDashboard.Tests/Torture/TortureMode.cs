using System.Runtime.InteropServices;

namespace ServerDashboard.Tests.Torture;

/// <summary>
/// Short form (every test run, a few seconds per test) or long form (<c>SERVERDASHBOARD_TORTURE=long</c>): the same tests
/// with more rounds, servers, files and requests.
/// </summary>
public static class TortureMode
{
    public const string Variable = "SERVERDASHBOARD_TORTURE";

    public static bool IsLong => string.Equals(Environment.GetEnvironmentVariable(Variable), "long", StringComparison.OrdinalIgnoreCase);

    public static int Pick(int shortForm, int longForm) => IsLong ? longForm : shortForm;

    public static string Name => IsLong ? "long" : "short";

    /// <summary>A seed printed with the figures, so a failing round can be replayed (<c>SERVERDASHBOARD_TORTURE_SEED</c>).</summary>
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("SERVERDASHBOARD_TORTURE_SEED"), out var s) ? s : Environment.TickCount;
}

/// <summary>
/// PID 1 on these machines does not reap orphans: the killed dashboard's daemons would linger as zombies of PID 1. A real
/// init reaps, so the harness makes itself a child subreaper (orphans of its descendants become its children) and reaps
/// the orphans it inherits. Processes started through System.Diagnostics.Process are never waited for here (the runtime
/// reaps those).
/// </summary>
public static class Subreaper
{
    private const int PR_SET_CHILD_SUBREAPER = 36;
    private const int WNOHANG = 1;

    [DllImport("libc", SetLastError = true)]
    private static extern int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [DllImport("libc", SetLastError = true)]
    private static extern int waitpid(int pid, out int status, int options);

    private static int enabled;

    public static void Enable()
    {
        if (Interlocked.Exchange(ref enabled, 1) == 0)
        {
            prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
    }

    /// <summary>
    /// Reaps zombie orphans we inherited: session leaders (daemons started with setsid) whose parent is now us. Children
    /// started with System.Diagnostics.Process share our session and are never touched (the runtime reaps them).
    /// </summary>
    public static int ReapOrphans()
    {
        var self = Environment.ProcessId;
        var reaped = 0;
        var procFs = new ServerDashboard.Processes.ProcFs();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            var stat = procFs.TryReadStat(pid);
            if (stat is { State: 'Z' } && stat.ParentPid == self && stat.SessionId == pid && waitpid(pid, out _, WNOHANG) == pid)
            {
                reaped++;
            }
        }

        return reaped;
    }
}
