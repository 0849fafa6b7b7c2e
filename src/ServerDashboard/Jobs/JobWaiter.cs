namespace ServerDashboard.Jobs;

/// <summary>
/// The waiting parent every job runs under: a fixed /bin/sh script (never built from user strings; the job's argv arrives
/// as positional parameters) that runs the job in the foreground, then writes "&lt;exit code&gt; &lt;term&gt;" to
/// <c>&lt;name&gt;.exit</c> atomically (temp file + mv). It is the process-group leader the PID file names, so the exit
/// code survives a dashboard restart or a dashboard that is down: the dashboard is then not the job's parent and could not
/// learn the code otherwise. The trap keeps the shell alive through a SIGTERM to the group (sent by a cancel): dash runs a
/// trap only after the foreground job has ended, so the job's own exit code is recorded, with term=1 telling the
/// dashboard it was a cancel, not a failure. A handled (not ignored) signal is reset to the default in the job, so the job
/// still sees SIGTERM normally. SIGKILL ends the shell too: then no exit file appears, and the canceller records the run.
/// </summary>
public static class JobWaiter
{
    public const string Shell = "/bin/sh";

    /// <summary>$0 of the waiting parent: how its cmdline is recognised on re-adoption.</summary>
    public const string ProcessName = "serverdashboard-job";

    public const string Script = """
        exit_file=$1
        shift
        term=0
        trap 'term=1' TERM INT HUP
        "$@"
        code=$?
        printf '%s %s\n' "$code" "$term" > "$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"
        exit "$code"
        """;

    /// <summary>What is spawned: the shell, the script, our name, the exit file, then the job's argv.</summary>
    public static IReadOnlyList<string> Wrap(string exitPath, IReadOnlyList<string> jobArgv) =>
        [Shell, "-c", Script, ProcessName, exitPath, .. jobArgv];

    /// <summary>True when <paramref name="cmdline"/> is our waiting parent for <paramref name="exitPath"/>.</summary>
    public static bool IsWaiterFor(IReadOnlyList<string>? cmdline, string exitPath) =>
        cmdline is { Count: >= 5 } c && c[1] == "-c" && c[2] == Script && c[3] == ProcessName && c[4] == exitPath;
}
