using System.Threading.Tasks.Sources;
using ServerDashboard.Processes;

namespace ServerDashboard.Logs;

/// <summary>
/// Wakes a tailer when its file (or the directory entry naming it) changes, and at the latest after a poll interval:
/// inotify can miss events (queue overflow, bind mounts, NFS), so polling is the safety net. All signals share one
/// inotify instance (<see cref="SharedInotify"/>). While the watch is up the safety net is the
/// caller's longer interval (<see cref="IsWatching"/>); <see cref="WaitAsync"/> says whether a change or the timeout woke it.
/// </summary>
/// <remarks>
/// A wait allocates nothing: the signal is its own reusable <see cref="IValueTaskSource{TResult}"/>, with one timer
/// re-armed per wait and one registration per cancellation token. (Before: a task completion source, a timer and an async
/// state machine per wait, a quarter of what the dashboard allocated with 100 servers printing; before that, a linked
/// token source, <c>Task.WhenAny</c> and a cancelled channel read that threw inside the runtime on every timed-out wait.)
/// One wait at a time: each signal belongs to one tailer loop.
/// </remarks>
/// <param name="isWatched">Whether someone reads the file live (null: always); while not, a change may wake the tailer up to
/// <paramref name="unwatchedDelay"/> late, coalesced with other files' (see <see cref="SharedInotify"/>).</param>
internal sealed class FileChangeSignal(string path, ILogger logger, Func<bool>? isWatched = null, TimeSpan unwatchedDelay = default)
    : IValueTaskSource<bool>, IDisposable
{
    private readonly Lock gate = new();
    private readonly string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
    private readonly string fileName = Path.GetFileName(path);
    private SharedInotify.Subscription? watch;
    private FileIdentity? watchedDirectory;
    private bool watchFailed;
    private bool pending;
    private bool waiting;
    private ManualResetValueTaskSourceCore<bool> wait = new() { RunContinuationsAsynchronously = true };
    private ITimer? timer;
    private CancellationToken registeredToken;
    private CancellationTokenRegistration registration;

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

    public void Notify() => Complete(signalled: true);

    /// <summary>Returns true when a change was signalled, false when <paramref name="timeout"/> passed first.</summary>
    public ValueTask<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (cancellationToken != registeredToken)
        {
            // Outside the lock: disposing a registration waits for its callback, which takes the lock. A tailer passes the
            // same token to every wait, so this runs once.
            registration.Dispose();
            registration = cancellationToken.UnsafeRegister(static state => ((FileChangeSignal)state!).Cancel(), this);
            registeredToken = cancellationToken;
        }

        lock (gate)
        {
            if (pending)
            {
                pending = false;
                return new ValueTask<bool>(true);
            }

            if (waiting)
            {
                throw new InvalidOperationException("A file change signal serves one wait at a time.");
            }

            wait.Reset();
            waiting = true;
            timer ??= time.CreateTimer(static state => ((FileChangeSignal)state!).Complete(signalled: false), this,
                Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            // A timer callback of the previous wait already under way may end this one early: a wake that finds no
            // change, i.e. one more poll, never a missed change.
            timer.Change(timeout, Timeout.InfiniteTimeSpan);
            return new ValueTask<bool>(this, wait.Version);
        }
    }

    private void Complete(bool signalled)
    {
        lock (gate)
        {
            if (!waiting)
            {
                // A change with no wait outstanding (or one its timer already ended, whose read may have begun before the
                // change): the next wait returns at once instead of sleeping through it.
                pending |= signalled;
                return;
            }

            waiting = false;
            wait.SetResult(signalled); // the continuation runs asynchronously: no tailer code under the lock
        }
    }

    private void Cancel()
    {
        lock (gate)
        {
            if (waiting)
            {
                waiting = false;
                wait.SetException(new OperationCanceledException(registeredToken));
            }
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => wait.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => wait.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        wait.OnCompleted(continuation, state, token, flags);

    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    public void Dispose()
    {
        watch?.Dispose();
        timer?.Dispose();
        registration.Dispose();
    }
}
