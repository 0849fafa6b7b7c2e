using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>
/// Linux-only: one thread blocked in poll(2) over the pidfd of every tracked daemon, plus an eventfd that wakes it when
/// the set changes (<see cref="ProcessRegistry.Changed"/>). A pidfd polls readable the moment its process exits, so an
/// exit is handled at once (<see cref="ProcessRegistry.PollExit"/>: waitpid for our child, so no zombie lingers) with no
/// wake-up while nothing happens. <see cref="ExitMonitor"/>'s periodic poll stays as the safety net for daemons without a
/// pidfd.
/// </summary>
public sealed unsafe class PidfdExitWatcher(ProcessRegistry registry, ILogger<PidfdExitWatcher> logger) : IDisposable
{
    private int eventFd = -1;
    private Thread? thread;
    private volatile bool stopping;

    /// <summary>True while the watcher thread runs: daemons with a pidfd need no periodic poll.</summary>
    public bool IsRunning => Volatile.Read(ref thread) is { IsAlive: true } && !stopping;

    public void Start()
    {
        if (thread is not null)
        {
            return;
        }

        eventFd = LinuxNative.eventfd(0, LinuxNative.EFD_CLOEXEC | LinuxNative.EFD_NONBLOCK);
        if (eventFd < 0)
        {
            logger.LogWarning("eventfd failed ({Error}): exits are noticed by the periodic poll only",
                LinuxNative.DescribeErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError()));
            return;
        }

        registry.Changed += Wake;
        thread = new Thread(Run) { IsBackground = true, Name = "pidfd exit watcher" };
        thread.Start();
    }

    /// <summary>Makes the thread rebuild its poll set (a daemon was tracked or replaced).</summary>
    private void Wake()
    {
        ulong one = 1;
        LinuxNative.write(eventFd, (byte*)&one, sizeof(ulong));
    }

    private void Run()
    {
        var held = new List<(TrackedProcess Entry, SafeFileHandle Pidfd)>();
        // Readable but not marked exited by PollExit (should not happen): left to the periodic poll, or poll(2) would spin.
        var skipped = new HashSet<TrackedProcess>(ReferenceEqualityComparer.Instance);
        var exited = new List<TrackedProcess>();
        while (!stopping)
        {
            try
            {
                skipped.RemoveWhere(e => e.HasExited);
                foreach (TrackedProcess entry in registry.Entries)
                {
                    // A reference on each pidfd while it is in the poll set: a concurrent Dispose (exit, force cleanup) then
                    // closes it only after we let go, so its fd number cannot be reused by another file under poll(2).
                    if (entry.HasExited || skipped.Contains(entry) || entry.Pidfd is not { IsClosed: false } pidfd)
                    {
                        continue;
                    }

                    bool added = false;
                    try
                    {
                        pidfd.DangerousAddRef(ref added);
                    }
                    catch (ObjectDisposedException)
                    {
                    }

                    if (added)
                    {
                        held.Add((entry, pidfd));
                    }
                }

                var fds = new LinuxNative.PollFd[held.Count + 1];
                fds[0] = new LinuxNative.PollFd { Fd = eventFd, Events = LinuxNative.POLLIN };
                for (int i = 0; i < held.Count; i++)
                {
                    fds[i + 1] = new LinuxNative.PollFd { Fd = (int)held[i].Pidfd.DangerousGetHandle(), Events = LinuxNative.POLLIN };
                }

                int rc;
                fixed (LinuxNative.PollFd* p = fds)
                {
                    rc = LinuxNative.poll(p, (ulong)fds.Length, -1);
                }

                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (rc > 0)
                {
                    if (fds[0].Revents != 0)
                    {
                        ulong count;
                        LinuxNative.read(eventFd, (byte*)&count, sizeof(ulong)); // reset the counter
                    }

                    for (int i = 1; i < fds.Length; i++)
                    {
                        if (fds[i].Revents != 0)
                        {
                            exited.Add(held[i - 1].Entry);
                        }
                    }
                }

                foreach ((_, SafeFileHandle pidfd) in held)
                {
                    pidfd.DangerousRelease();
                }

                held.Clear();
                if (rc < 0 && errno != LinuxNative.EINTR)
                {
                    logger.LogWarning("poll over the daemons' pidfds failed ({Error}); exits are noticed by the periodic poll only",
                        LinuxNative.DescribeErrno(errno));
                    return;
                }

                foreach (TrackedProcess entry in exited)
                {
                    try
                    {
                        registry.PollExit(entry);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        logger.LogWarning("Exit check of {Entry} failed: {Error}", entry, e.Message);
                    }

                    if (!entry.HasExited)
                    {
                        skipped.Add(entry);
                    }
                }

                exited.Clear();
            }
            catch (Exception e)
            {
                // The periodic poll still notices exits; one bad round must not end the thread.
                foreach ((_, SafeFileHandle pidfd) in held)
                {
                    pidfd.DangerousRelease();
                }

                held.Clear();
                exited.Clear();
                logger.LogError(e, "The pidfd exit watcher failed a round");
                Thread.Sleep(250);
            }
        }
    }

    /// <summary>Idempotent and safe to race (the hosted service and the container both dispose it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref thread, null) is not { } running)
        {
            return;
        }

        stopping = true;
        registry.Changed -= Wake;
        Wake();
        running.Join(TimeSpan.FromSeconds(5));
        LinuxNative.close(eventFd);
    }
}
