using ServerDashboard.Processes;

namespace ServerDashboard.Logs;

/// <summary>
/// Wakes a tailer when its file (or the directory entry naming it) changes, and at the latest after a poll interval:
/// inotify can miss events (queue overflow, bind mounts, NFS), so polling is the safety net. All signals share one
/// inotify instance (<see cref="SharedInotify"/>). While the watch is up the safety net is the
/// caller's longer interval (<see cref="IsWatching"/>); <see cref="WaitAsync"/> says whether a change or the timeout woke it.
/// </summary>
/// <remarks>
/// A wait is one <see cref="TaskCompletionSource"/> and one <see cref="ITimer"/>: no linked token source, no
/// <c>Task.WhenAny</c> and no cancelled channel read (which threw an OperationCanceledException inside the runtime on
/// every timed-out wait: 400 first-chance exceptions a second with 100 servers polled every 250 ms).
/// </remarks>
/// <param name="isWatched">Whether someone reads the file live (null: always); while not, a change may wake the tailer up to
/// <paramref name="unwatchedDelay"/> late, coalesced with other files' (see <see cref="SharedInotify"/>).</param>
internal sealed class FileChangeSignal(string path, ILogger logger, Func<bool>? isWatched = null, TimeSpan unwatchedDelay = default)
    : IDisposable
{
    private readonly Lock gate = new();
    private readonly string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
    private readonly string fileName = Path.GetFileName(path);
    private SharedInotify.Subscription? watch;
    private FileIdentity? watchedDirectory;
    private bool watchFailed;
    private bool pending;
    private TaskCompletionSource<bool>? waiter;

    /// <summary>inotify is watching the file's directory: changes wake the tailer at once.</summary>
    public bool IsWatching => watch is { IsAlive: true };

    /// <summary>inotify reported a change that is held back (nobody watches the file) and not signalled yet.</summary>
    public bool ChangeDeferred => watch?.IsDeferred == true;

    /// <summary>
    /// Starts watching once the directory exists (it may be created later, e.g. a game's logs/ folder), and again after the
    /// directory was deleted or renamed (the old watch followed the old inode).
    /// </summary>
    public void EnsureWatching()
    {
        if (watchFailed)
        {
            return;
        }

        // A directory deleted (or renamed away) while our file in it is still open stays pinned by that open file, so the
        // kernel reports nothing until the tailer lets go of it: notice a new directory under the path by its identity.
        var current = FileIdentity.OfPath(directory);
        if (IsWatching && current == watchedDirectory)
        {
            return;
        }

        watch?.Dispose();
        watch = null;
        if (current is null)
        {
            return; // no directory (yet): the caller polls until one appears
        }

        try
        {
            watch = SharedInotify.Instance.Watch(directory, fileName, Notify, isWatched, unwatchedDelay);
            watchedDirectory = current;
        }
        catch (IOException ex) when (ex.HResult == ENOENT || ex.HResult == ENOTDIR)
        {
            // Gone again between the check and the watch (or replaced by a file): try again on the next round.
        }
        catch (IOException ex)
        {
            // Typically the inotify watch limit (fs.inotify.max_user_watches): polling alone still works, with more latency.
            watchFailed = true;
            logger.LogWarning("Cannot watch {Directory} for log changes ({Error}); polling it instead", directory, ex.Message);
        }
    }

    public void Notify()
    {
        lock (gate)
        {
            var wake = waiter;
            waiter = null;
            // A waiter its timer already woke has not read yet: its read will see this change too, but the flag keeps the
            // next wait from sleeping through it if that read started earlier. (Continuations run asynchronously: no
            // tailer code runs under the lock.)
            if (wake is null || !wake.TrySetResult(true))
            {
                pending = true;
            }
        }
    }

    /// <summary>Returns true when a change was signalled, false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> wait;
        lock (gate)
        {
            if (pending)
            {
                pending = false;
                return true;
            }

            // RunContinuationsAsynchronously: the inotify thread that completes it must not run the tailer's read.
            wait = waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        await using (time.CreateTimer(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), wait, timeout, Timeout.InfiniteTimeSpan))
        await using (cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), wait))
        {
            var signalled = await wait.Task;
            lock (gate)
            {
                if (waiter == wait)
                {
                    waiter = null;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            return signalled;
        }
    }

    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    public void Dispose() => watch?.Dispose();
}
