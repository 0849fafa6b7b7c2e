using System.Globalization;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>
/// Prefixes the program's argv with util-linux wrappers that apply resource limits and the run-as user.
/// Both wrappers exec() the next program in place, so the PID we spawned stays the daemon's PID and the
/// PID file, the process group and the session all stay valid. (Forking helpers such as "setsid -f" or
/// "su" would change the PID; setrlimit/setuid between fork and exec are not available through posix_spawn.)
/// prlimit runs first, while still root, because an unprivileged user cannot raise a hard limit.
/// </summary>
public sealed class LaunchCommandBuilder(ExecutableResolver resolver)
{
    /// <param name="cgroupJoin">cgexec's argv when the server gets a cgroup: it goes first, so the process is in the cgroup
    /// before any other code runs (and before it could fork); the memory limit is then the cgroup's, not RLIMIT_AS.</param>
    public IReadOnlyList<string> Build(IReadOnlyList<string> programArgv, ResourceLimits limits, string? runAsUser, IReadOnlyList<string>? cgroupJoin = null)
    {
        var argv = new List<string>(cgroupJoin ?? []);
        if (cgroupJoin is not null)
        {
            limits = limits with { MaxMemoryMb = null };
        }

        if (limits.MaxOpenFiles is not null || limits.MaxMemoryMb is not null)
        {
            argv.Add(ResolveTool("prlimit", "resource limits"));
            if (limits.MaxOpenFiles is int files)
            {
                Require(files > 0, "MaxOpenFiles must be positive");
                argv.Add(string.Create(CultureInfo.InvariantCulture, $"--nofile={files}:{files}"));
            }

            if (limits.MaxMemoryMb is int mb)
            {
                Require(mb > 0, "MaxMemoryMb must be positive");
                long bytes = mb * 1024L * 1024L;
                argv.Add(string.Create(CultureInfo.InvariantCulture, $"--as={bytes}:{bytes}"));
            }

            argv.Add("--");
        }

        if (!string.IsNullOrEmpty(runAsUser))
        {
            Require(!runAsUser.StartsWith('-') && !runAsUser.Contains('\0'), $"invalid user name '{runAsUser}'");
            (uint uid, uint gid) = LinuxNative.LookupUser(runAsUser)
                ?? throw new DaemonLaunchException($"cannot run as '{runAsUser}': no such user");
            argv.Add(ResolveTool("setpriv", "running as another user"));
            // Numeric ids: the user's primary group need not share its name (nobody/nogroup).
            // --init-groups: the user's supplementary groups instead of root's.
            argv.AddRange([
                "--reuid", uid.ToString(CultureInfo.InvariantCulture),
                "--regid", gid.ToString(CultureInfo.InvariantCulture),
                "--init-groups", "--"]);
        }

        argv.AddRange(programArgv);
        return argv;
    }

    /// <summary>
    /// True while /proc/&lt;pid&gt;/exe still shows a wrapper, i.e. it has not exec'd the real program yet.
    /// Compared by file name because /proc shows the canonical path (/usr/bin/...) while PATH may say /bin/...
    /// </summary>
    public bool IsWrapper(string exe) => Path.GetFileName(exe) is "cgexec" or "prlimit" or "setpriv";

    private string ResolveTool(string tool, string purpose)
    {
        try
        {
            return resolver.Resolve(tool, "/", Environment.GetEnvironmentVariable("PATH"));
        }
        catch (DaemonLaunchException e)
        {
            throw new DaemonLaunchException($"{purpose} needs util-linux '{tool}': {e.Message}", e);
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new DaemonLaunchException(message);
        }
    }
}
