using System.Diagnostics;
using System.Text;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Logs;

/// <summary>
/// One inotify instance and one reader thread for the whole process, shared by every followed log file (Linux-only).
/// </summary>
/// <remarks>
/// Not <see cref="FileSystemWatcher"/>: on Linux each one opens an inotify instance of its own (and a thread), and the
/// kernel allows 128 instances per user by default (<c>fs.inotify.max_user_instances</c>) — shared with every other program
/// of that user, which for a dashboard running as root means systemd and the rest of the host. 100 servers took 100 of
/// them; past about 120 the tailers fell back to 250 ms polling and other root programs could no longer watch anything.
/// Process-wide (a static) because the kernel resource it guards is per process, like the thread pool.
/// <para>
/// Coalescing: a subscription whose file nobody is reading live right now (its <c>isWatched</c> says false) is woken
/// <c>delay</c> after its first unhandled change, together with every other such subscription, instead of at each write;
/// while no subscription at all is watched, the reader leaves the events queued in the kernel until that wake-up is due.
/// 100 servers printing a line a second then cost two wake-ups of this thread and one batch of thread-pool work a second
/// instead of 100 of each (each a context switch; docs/PERFORMANCE.md). A watched file's changes wake it at once.
/// </para>
/// </remarks>
internal sealed class SharedInotify
{
    // Directory events: a write to, creation, deletion or rename of a file in it; the directory itself going away.
    private const uint WatchMask = LinuxNative.IN_MODIFY | LinuxNative.IN_ATTRIB | LinuxNative.IN_CREATE | LinuxNative.IN_DELETE
        | LinuxNative.IN_MOVED_FROM | LinuxNative.IN_MOVED_TO | LinuxNative.IN_DELETE_SELF | LinuxNative.IN_MOVE_SELF
        | LinuxNative.IN_ONLYDIR | LinuxNative.IN_DONT_FOLLOW;

    private const int EventHeaderBytes = 16; // struct inotify_event: int wd; uint32 mask, cookie, len; char name[len]

    private static readonly TimeSpan MaxCoalescingSleep = TimeSpan.FromSeconds(1);

    private static readonly Lock CreateGate = new();
    private static SharedInotify? shared;

    private readonly Lock gate = new();
    private readonly Dictionary<int, List<Subscription>> watches = [];
    // Subscriptions with a change not handed on yet, and when they are due (Stopwatch timestamps).
    private readonly Dictionary<Subscription, long> deferred = [];
    private readonly int fd;
    private readonly int wakeFd;

    private SharedInotify()
    {
        fd = LinuxNative.InotifyInit();
        wakeFd = LinuxNative.CreateWakeFd();
        new Thread(ReadLoop) { IsBackground = true, Name = "inotify reader" }.Start();
    }

    /// <summary>The process's instance, created on first use; throws <see cref="IOException"/> when the kernel refuses one.</summary>
    public static SharedInotify Instance
    {
        get
        {
            lock (CreateGate)
            {
                return shared ??= new SharedInotify();
            }
        }
    }

    /// <summary>
    /// Someone started reading a followed file live: the reader looks at the deferred changes again and hands on at once
    /// those whose subscription now says it is watched (nothing to do when no file was ever watched).
    /// </summary>
    public static void WakeDeferred()
    {
        if (Volatile.Read(ref shared) is { } instance)
        {
            LinuxNative.SignalWakeFd(instance.wakeFd);
        }
    }

    /// <summary>
    /// Calls <paramref name="onChange"/> (on the reader thread: keep it short) whenever <paramref name="fileName"/> in
    /// <paramref name="directory"/> is written, created, deleted or renamed, when the directory itself goes away (the
    /// subscription then is no longer <see cref="Subscription.IsAlive"/>), and when the kernel's queue overflowed: at once
    /// while <paramref name="isWatched"/> (null: always) says true, else up to <paramref name="delay"/> later, coalesced.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be watched (gone, not a directory, the watch limit).</exception>
    public Subscription Watch(string directory, string fileName, Action onChange, Func<bool>? isWatched = null, TimeSpan delay = default)
    {
        Subscription subscription;
        lock (gate)
        {
            // The same directory (inode) gives the same watch descriptor: its subscribers share the kernel watch.
            var wd = LinuxNative.InotifyAddWatch(fd, directory, WatchMask);
            subscription = new Subscription(this, wd, fileName, onChange, isWatched, delay);
            if (!watches.TryGetValue(wd, out var list))
            {
                watches[wd] = list = [];
            }

            list.Add(subscription);
        }

        // The reader may be sleeping with the inotify fd left out (coalescing): a new subscription may need its events now.
        LinuxNative.SignalWakeFd(wakeFd);
        return subscription;
    }

    /// <summary>Open watch descriptors (for tests and diagnostics).</summary>
    internal int WatchCount
    {
        get
        {
            lock (gate)
            {
                return watches.Count;
            }
        }
    }

    private bool IsDeferred(Subscription subscription)
    {
        lock (gate)
        {
            return deferred.ContainsKey(subscription);
        }
    }

    private void Unwatch(Subscription subscription)
    {
        lock (gate)
        {
            deferred.Remove(subscription);
            if (watches.TryGetValue(subscription.Wd, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                watches.Remove(subscription.Wd);
                LinuxNative.InotifyRemoveWatch(fd, subscription.Wd);
            }
        }
    }

    private void ReadLoop()
    {
        // 64 KB holds over a thousand events; the kernel queues the rest (and reports an overflow past its own limit).
        var buffer = new byte[64 * 1024];
        // A set: a batch of events often names the same file many times (a write flood), and one wake-up is enough.
        var changed = new HashSet<Subscription>();
        var wake = new List<Subscription>();
        while (true)
        {
            try
            {
                var hurried = WaitForWork();
                if (hurried)
                {
                    LinuxNative.ResetWakeFd(wakeFd);
                }

                // Read what is queued (non-blocking, until none is), also when poll(2) left the inotify fd out (coalescing).
                int length;
                while ((length = LinuxNative.ReadEvents(fd, buffer)) > 0)
                {
                    lock (gate)
                    {
                        Collect(buffer, length, changed);
                    }
                }

                lock (gate)
                {
                    Schedule(changed, hurried, wake);
                }

                changed.Clear();
            }
            catch (IOException)
            {
                // Cannot happen on valid inotify and eventfd descriptors short of a kernel bug; the tailers' safety poll still delivers.
                Thread.Sleep(TimeSpan.FromSeconds(1));
                continue;
            }

            foreach (var subscription in wake)
            {
                subscription.OnChange();
            }

            wake.Clear();
        }
    }

    /// <summary>
    /// Blocks until there are events to read, a deferred wake-up is due, or <see cref="WakeDeferred"/> was called (then
    /// true).
    /// </summary>
    private bool WaitForWork()
    {
        int timeoutMs;
        bool coalescing;
        lock (gate)
        {
            timeoutMs = -1;
            if (deferred.Count > 0)
            {
                var due = long.MaxValue;
                foreach (var at in deferred.Values)
                {
                    due = Math.Min(due, at);
                }

                var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                timeoutMs = (int)Math.Clamp(Math.Ceiling(remaining.TotalMilliseconds), 0, int.MaxValue);
            }

            // Nobody reads any followed file live and a wake-up is pending anyway: let the kernel queue the events until it is due.
            coalescing = deferred.Count > 0 && !AnyWatched();
        }

        if (coalescing)
        {
            // Asleep with the inotify fd left out: look again at least this often (a watcher may come without a signal).
            timeoutMs = Math.Min(timeoutMs, (int)MaxCoalescingSleep.TotalMilliseconds);
        }

        return LinuxNative.WaitReadable(wakeFd, coalescing ? -1 : fd, timeoutMs).First;
    }

    private bool AnyWatched()
    {
        foreach (var list in watches.Values)
        {
            foreach (var subscription in list)
            {
                if (subscription.IsWatched)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Hands changes on: a watched subscription's at once; an unwatched one's when it is due. When one is due, the others
    /// read in the same pass and those due within half their delay go with it (one batch instead of one per due time;
    /// changes read late because the reader was coalescing would otherwise wait a second delay). After
    /// <see cref="WakeDeferred"/> (<paramref name="hurried"/>), deferred subscriptions that are watched now go at once.
    /// </summary>
    private void Schedule(HashSet<Subscription> changed, bool hurried, List<Subscription> wake)
    {
        var now = Stopwatch.GetTimestamp();
        var flush = false;
        foreach (var due in deferred.Values)
        {
            flush |= due <= now;
        }

        foreach (var subscription in changed)
        {
            if (flush || subscription.Delay <= TimeSpan.Zero || subscription.IsWatched)
            {
                deferred.Remove(subscription);
                wake.Add(subscription);
            }
            else
            {
                deferred.TryAdd(subscription, now + Ticks(subscription.Delay));
            }
        }

        if (!flush && !hurried)
        {
            return;
        }

        foreach (var (subscription, due) in deferred)
        {
            if ((flush && due - Ticks(subscription.Delay / 2) <= now) || (hurried && subscription.IsWatched))
            {
                wake.Add(subscription);
                deferred.Remove(subscription); // removing the current entry while enumerating a Dictionary is allowed
            }
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private void Collect(byte[] buffer, int length, HashSet<Subscription> woken)
    {
        for (var offset = 0; offset + EventHeaderBytes <= length;)
        {
            var wd = BitConverter.ToInt32(buffer, offset);
            var mask = BitConverter.ToUInt32(buffer, offset + 4);
            var nameBytes = BitConverter.ToInt32(buffer, offset + 12);
            var name = buffer.AsSpan(offset + EventHeaderBytes, nameBytes);
            offset += EventHeaderBytes + nameBytes;
            Collect(wd, mask, name.IndexOf((byte)0) is var end and >= 0 ? name[..end] : name, woken);
        }
    }

    private void Collect(int wd, uint mask, ReadOnlySpan<byte> name, HashSet<Subscription> woken)
    {
        if ((mask & LinuxNative.IN_Q_OVERFLOW) != 0)
        {
            // Events were dropped: every subscriber may have missed its file's.
            foreach (var list in watches.Values)
            {
                woken.UnionWith(list);
            }

            return;
        }

        if (!watches.TryGetValue(wd, out var subscribers))
        {
            return; // a watch we removed (its IN_IGNORED) or one not yet recorded
        }

        if ((mask & (LinuxNative.IN_IGNORED | LinuxNative.IN_DELETE_SELF | LinuxNative.IN_MOVE_SELF)) != 0)
        {
            // The directory was deleted, renamed or unmounted: this watch no longer follows the path. Its subscribers
            // are woken and re-watch the path once a directory exists there again.
            watches.Remove(wd);
            if ((mask & LinuxNative.IN_IGNORED) == 0)
            {
                LinuxNative.InotifyRemoveWatch(fd, wd);
            }

            foreach (var subscription in subscribers)
            {
                subscription.IsAlive = false;
            }

            woken.UnionWith(subscribers);
            return;
        }

        foreach (var subscription in subscribers)
        {
            if (subscription.Matches(name))
            {
                woken.Add(subscription);
            }
        }
    }

    /// <summary>One file's interest in its directory's watch.</summary>
    internal sealed class Subscription(SharedInotify owner, int wd, string fileName, Action onChange, Func<bool>? isWatched, TimeSpan delay)
        : IDisposable
    {
        private readonly byte[] fileNameBytes = Encoding.UTF8.GetBytes(fileName);
        private int disposed;

        internal int Wd { get; } = wd;

        /// <summary>False once the directory went away: the owner should watch the path again.</summary>
        public bool IsAlive { get; internal set; } = true;

        /// <summary>How long a change may wait while nobody reads the file live (zero: never).</summary>
        internal TimeSpan Delay { get; } = delay;

        /// <summary>Someone reads the file live: its changes are handed on at once.</summary>
        internal bool IsWatched => isWatched is null || isWatched();

        /// <summary>A change was seen and is held back until it is due.</summary>
        internal bool IsDeferred => owner.IsDeferred(this);

        internal bool Matches(ReadOnlySpan<byte> name) => name.SequenceEqual(fileNameBytes);

        internal void OnChange() => onChange();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Unwatch(this);
            }
        }
    }
}
