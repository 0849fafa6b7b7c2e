using System.Runtime.InteropServices;
using static ServerDashboard.Processes.Native.LinuxNative;

namespace ServerDashboard.Processes.Native;

/// <summary>What <see cref="PosixSpawner"/> needs: every path absolute, every fd decision already made.</summary>
internal sealed record SpawnRequest(
    string ExecutablePath,
    IReadOnlyList<string> Argv,
    IReadOnlyList<string> Environment,
    string WorkingDirectory,
    string StdinFifoPath,
    string LogPath,
    int LogFd);

/// <summary>
/// Linux-only: starts a process with posix_spawn in its own session and process group, with default signal
/// dispositions, an empty signal mask and exactly three open fds (stdin = FIFO, stdout+stderr = log file). The log file is
/// opened by the caller (<see cref="SafeFileOpener"/>: never through a link) and handed over as <see cref="SpawnRequest.LogFd"/>.
/// </summary>
internal sealed unsafe class PosixSpawner
{
    public int Spawn(SpawnRequest request)
    {
        string[] strings = [request.ExecutablePath, request.WorkingDirectory, request.StdinFifoPath, request.LogPath];
        using var paths = new NativeStringArray(strings);
        using var argv = new NativeStringArray(request.Argv);
        using var envp = new NativeStringArray(request.Environment);

        void* fileActions = NativeMemory.AllocZeroed(SpawnFileActionsSize);
        void* attr = NativeMemory.AllocZeroed(SpawnAttrSize);
        void* signals = NativeMemory.AllocZeroed(SigSetSize);
        bool fileActionsReady = false, attrReady = false;
        try
        {
            Check(posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            fileActionsReady = true;
            Check(posix_spawn_file_actions_addchdir_np(fileActions, paths[1]), "posix_spawn_file_actions_addchdir_np");
            // O_RDWR on the FIFO: the child is then a writer too, so it never reads EOF while no dashboard writer is attached.
            Check(posix_spawn_file_actions_addopen(fileActions, 0, paths[2], O_RDWR, 0), "addopen(stdin FIFO)");
            // The child owns its log fd: output keeps flowing into the file while the dashboard is down. Not addopen by path:
            // posix_spawn would follow a symlink the game planted as console.log and create or append its target as root.
            Check(posix_spawn_file_actions_adddup2(fileActions, request.LogFd, 1), "adddup2(log)");
            Check(posix_spawn_file_actions_adddup2(fileActions, 1, 2), "adddup2(stderr)");
            // Without this the daemon would inherit every dashboard fd without O_CLOEXEC (sockets, the instance lock...).
            Check(posix_spawn_file_actions_addclosefrom_np(fileActions, 3), "addclosefrom_np");

            Check(posix_spawnattr_init(attr), "posix_spawnattr_init");
            attrReady = true;
            Check(posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK), "posix_spawnattr_setflags");
            // .NET ignores SIGPIPE (and handles others); ignored dispositions survive exec, so reset all of them.
            sigfillset(signals);
            // glibc's sigfillset leaves out its two internal signals (32 SIGCANCEL, 33 SIGSETXID), and posix_spawn then sets
            // them to SIG_IGN, which survives exec. Setting their bits directly makes them SIG_DFL like every other signal.
            // (sigset_t is an array of unsigned long; signal n is bit n-1.)
            ((ulong*)signals)[0] |= (1UL << 31) | (1UL << 32);
            Check(posix_spawnattr_setsigdefault(attr, signals), "posix_spawnattr_setsigdefault");
            sigemptyset(signals);
            Check(posix_spawnattr_setsigmask(attr, signals), "posix_spawnattr_setsigmask");

            int pid;
            int rc = posix_spawn(&pid, paths[0], fileActions, attr, argv.Pointer, envp.Pointer);
            if (rc != 0)
            {
                // glibc reports failures of the file actions and of exec itself through this return value.
                throw new DaemonLaunchException(
                    $"posix_spawn of '{request.ExecutablePath}' (cwd '{request.WorkingDirectory}') failed: {DescribeErrno(rc)}");
            }

            return pid;
        }
        finally
        {
            if (fileActionsReady)
            {
                posix_spawn_file_actions_destroy(fileActions);
            }

            if (attrReady)
            {
                posix_spawnattr_destroy(attr);
            }

            NativeMemory.Free(fileActions);
            NativeMemory.Free(attr);
            NativeMemory.Free(signals);
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new DaemonLaunchException($"{what} failed: {DescribeErrno(rc)}");
        }
    }
}
