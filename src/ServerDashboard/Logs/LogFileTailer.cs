using System.Buffers;
using Microsoft.Win32.SafeHandles;
using ServerDashboard.Processes;

namespace ServerDashboard.Logs;

/// <summary>Where a tailer starts in the file that exists when it starts (a file appearing later is always read from its start).</summary>
public readonly record struct TailStart(int LastLines)
{
    public static TailStart End => new(0);

    public static TailStart Beginning => new(int.MaxValue);
}

/// <summary>
/// Follows one log file by path, like <c>tail -F</c>: wakes on inotify events (or every <see cref="PollInterval"/> where
/// there is no watch; every <see cref="WatchedPollInterval"/> as a safety net where there is one), hands
/// complete lines to a callback, and survives rotation without losing or repeating lines:
/// <list type="bullet">
/// <item>rename+create and delete+recreate: the path names a new (device, inode); the new file is read from its start,
/// and the old handle keeps being read (a writer may append to it until it reopens, e.g. logrotate's create + SIGHUP)
/// until it has been quiet for <see cref="DrainQuietPeriod"/>; then its trailing partial line is flushed;</item>
/// <item>copytruncate: the file got shorter than our offset; the new content is read from offset 0;</item>
/// <item>the file does not exist (yet): wait for it; deleted with no successor: keep reading the open inode (a writer may
/// still hold it) until a new file appears.</item>
/// </list>
/// </summary>
public sealed class LogFileTailer(string path, TailStart start, TimeProvider time, ILogger logger)
{
    private const int ReadChunkBytes = 64 * 1024;

    private readonly Lock catchUpGate = new();
    private List<TaskCompletionSource>? catchUps;
    private FileChangeSignal? running;

    // The start position applies to the file that exists when the tailer is made; one that appears later is new: read all of it.
    private readonly bool existedAtCreation = File.Exists(path);

    public string Path { get; } = path;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The safety-net poll while inotify watches the directory. A poll that finds bytes no event announced switches to
    /// <see cref="PollInterval"/> until a poll finds nothing, so a missed event delays lines by at most this long. Polling every
    /// <see cref="PollInterval"/> regardless cost 400 wake-ups a second with 100 servers (docs/PERFORMANCE.md).
    /// </summary>
    public TimeSpan WatchedPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// After a rename/delete rotation the old file is still read (through its open fd, i.e. by inode) until it has had no
    /// new bytes for this long: with logrotate's <c>create</c> + SIGHUP the writer appends to the old file until it
    /// handles the signal and reopens.
    /// </summary>
    public TimeSpan DrainQuietPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether someone reads these lines live (a console open in a browser, a recent REST read); null means always. While
    /// it says false, a change may be read up to <see cref="UnwatchedDelay"/> late, coalesced with other files' changes: an
    /// idle dashboard then wakes once per interval for all its servers instead of at every write.
    /// </summary>
    public Func<bool>? IsWatched { get; init; }

    /// <summary>How late an unwatched file's change may be read (zero: at once). See <see cref="IsWatched"/>.</summary>
    public TimeSpan UnwatchedDelay { get; init; }

    /// <summary>
    /// The directory the file must stay beneath (its own directory unless set): the file is opened without following a
    /// symbolic link anywhere below it (see <see cref="SafeFileOpener"/>), because a game account can plant one.
    /// </summary>
    public string Directory { get; init; } = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? "/";

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> fires. <paramref name="onLines"/> gets each batch of complete lines, in
    /// order; <paramref name="onRefused"/> is told once (until the file opens again) when the file is refused (a link, not a regular file).
    /// </summary>
    public async Task RunAsync(Action<IReadOnlyList<string>> onLines, CancellationToken cancellationToken, Action<string>? onRefused = null)
    {
        using var signal = new FileChangeSignal(Path, logger, IsWatched, UnwatchedDelay);
        lock (catchUpGate)
        {
            running = signal;
        }

        List<TaskCompletionSource>? serving = null;
        var reader = new Reader(Path, Directory, onLines, onRefused);
        // Rotated-away files still being written to (create + SIGHUP), with the time their last bytes were read.
        var draining = new List<(Reader Reader, long LastGrowth)>();
        var firstOpen = existedAtCreation;
        var signalled = true;
        long? missingSince = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                lock (catchUpGate)
                {
                    if (catchUps is not null)
                    {
                        (serving ??= []).AddRange(catchUps);
                        catchUps = null;
                    }
                }

                signal.EnsureWatching();
                var offsetBefore = reader.Offset;
                var wasOpen = reader.IsOpen;
                if (!reader.IsOpen && reader.TryOpen(logger))
                {
                    reader.Offset = firstOpen ? StartOffset(reader.Handle!, start) : 0;
                    firstOpen = false;
                }

                if (reader.IsOpen && reader.ReadToEndAndCheckRotation(logger))
                {
                    draining.Add((reader, time.GetTimestamp()));
                    reader = new Reader(Path, Directory, onLines, onRefused);
                    continue; // switched files: read the new one at once
                }

                // A wake by timeout that found a change no inotify event announced: the watch is missing events (its
                // directory was replaced, a filesystem without events): poll at the short interval until a poll finds nothing.
                // (A change held back for an unwatched file is not missed: its event is on the way.)
                var missedEvents = !signalled && !signal.ChangeDeferred && (reader.Offset != offsetBefore || reader.IsOpen != wasOpen);

                // Our file was deleted and nothing is at its path yet: its directory may be being replaced (deleted and made
                // again: a new inode our watch does not cover, while the open file keeps the old one alive, so no event says
                // so). Poll at the short interval for a while to notice it.
                missingSince = reader.IsOpen && reader.PathMissing ? missingSince ?? time.GetTimestamp() : null;
                var recentlyMissing = missingSince is { } since && time.GetElapsedTime(since) < DrainQuietPeriod;

                Drain(draining);
                // A rotated-away file still being drained raises no event under our file's name: poll it at the short interval too.
                var interval = signal.IsWatching && draining.Count == 0 && !missedEvents && !recentlyMissing ? WatchedPollInterval : PollInterval;
                Complete(serving); // what the file held when they asked has been handed on
                serving = null;
                signalled = await signal.WaitAsync(interval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            reader.Close();
            foreach (var (old, _) in draining)
            {
                old.Close();
            }

            lock (catchUpGate)
            {
                running = null;
                Complete(serving);
                Complete(catchUps);
                catchUps = null;
            }
        }
    }

    /// <summary>
    /// Completes once the tailer has read what the file holds now and handed those lines on (at once when it is not
    /// running). Wakes it even while its changes are held back (<see cref="IsWatched"/>): a dashboard line about the
    /// server ("Stopping…", "Crashed…", a command's echo) must come after every line the server wrote before it.
    /// </summary>
    public Task CatchUpAsync()
    {
        lock (catchUpGate)
        {
            if (running is null)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (catchUps ??= []).Add(done);
            running.Notify();
            return done.Task;
        }
    }

    private static void Complete(List<TaskCompletionSource>? requests)
    {
        foreach (var request in requests ?? [])
        {
            request.TrySetResult();
        }
    }

    /// <summary>Reads what the writer added to rotated-away files; lets one go once it has been quiet for <see cref="DrainQuietPeriod"/>.</summary>
    private void Drain(List<(Reader Reader, long LastGrowth)> draining)
    {
        for (var i = draining.Count - 1; i >= 0; i--)
        {
            var (old, lastGrowth) = draining[i];
            if (old.ReadMore(logger))
            {
                draining[i] = (old, time.GetTimestamp());
            }
            else if (!old.IsOpen || time.GetElapsedTime(lastGrowth) >= DrainQuietPeriod)
            {
                old.FinishDraining();
                draining.RemoveAt(i);
            }
        }
    }

    /// <summary>The offset of the start of the last <paramref name="from"/>.LastLines complete lines (a trailing partial line included).</summary>
    internal static long StartOffset(SafeFileHandle handle, TailStart from)
    {
        var length = RandomAccess.GetLength(handle);
        if (from.LastLines <= 0)
        {
            return length;
        }

        if (from.LastLines == int.MaxValue)
        {
            return 0;
        }

        // Line k starts after the k-1th '\n': scanning back, the start we want follows the (LastLines+1)th '\n' from the end.
        var newlinesWanted = from.LastLines + 1;
        var buffer = new byte[ReadChunkBytes];
        var end = length;
        while (end > 0)
        {
            var size = (int)Math.Min(buffer.Length, end);
            var begin = end - size;
            var read = RandomAccess.Read(handle, buffer.AsSpan(0, size), begin);
            for (var i = read - 1; i >= 0; i--)
            {
                if (buffer[i] == '\n' && --newlinesWanted == 0)
                {
                    return begin + i + 1;
                }
            }

            end = begin;
        }

        return 0;
    }

    /// <summary>The open file, our offset in it and the partial line: the state that rotation handling switches.</summary>
    private sealed class Reader(string path, string directory, Action<IReadOnlyList<string>> onLines, Action<string>? onRefused)
    {
        private readonly LogLineAssembler assembler = new();
        private readonly List<string> lines = [];
        private FileIdentity? identity;
        private bool reportedOpenError;

        public SafeFileHandle? Handle { get; private set; }

        public bool IsOpen => Handle is not null;

        public long Offset { get; set; }

        /// <summary>The last check found nothing at the path (the open file was deleted, no successor yet).</summary>
        public bool PathMissing { get; private set; }

        public bool TryOpen(ILogger logger)
        {
            try
            {
                // Never File.OpenHandle: as root it would follow a link the game planted (to /etc/shadow, to our keys).
                var handle = SafeFileOpener.Open(directory, path, SafeOpenMode.Read);
                Handle = handle;
                identity = FileIdentity.OfHandle(handle);
                Offset = 0;
                reportedOpenError = false;
                return true;
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return false;
            }
            catch (UnsafeFileException ex)
            {
                if (!reportedOpenError)
                {
                    reportedOpenError = true;
                    logger.LogWarning("Refused to read log file {Path}: {Error}", path, ex.Message);
                    onRefused?.Invoke(ex.Message);
                }

                return false;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (!reportedOpenError)
                {
                    reportedOpenError = true;
                    logger.LogWarning("Cannot open log file {Path}: {Error}", path, ex.Message);
                }

                return false;
            }
        }

        /// <summary>Reads what is new, then looks for rotation. True when it switched away from the file (the caller reopens).</summary>
        public bool ReadToEndAndCheckRotation(ILogger logger)
        {
            try
            {
                ReadToEnd();
                var now = FileIdentity.OfPath(path);
                PathMissing = now is null;
                if (now is { } current && current != identity)
                {
                    // Renamed or deleted and recreated: the writer may still add to the old inode (until it reopens, e.g. on
                    // SIGHUP), so the caller keeps draining this reader; its partial line may yet be completed.
                    ReadToEnd();
                    return true;
                }

                if (now is not null && RandomAccess.GetLength(Handle!) < Offset)
                {
                    // copytruncate: the content we had not read yet is in the copy; continue at the new start.
                    FlushPartial();
                    Offset = 0;
                    ReadToEnd();
                }

                return false;
            }
            catch (IOException ex)
            {
                logger.LogWarning("Reading log file {Path} failed: {Error}; reopening it", path, ex.Message);
                FlushPartial();
                Close();
                return false;
            }
        }

        /// <summary>Draining a rotated-away file: reads what is new. True when something was read.</summary>
        public bool ReadMore(ILogger logger)
        {
            if (!IsOpen)
            {
                return false;
            }

            try
            {
                var before = Offset;
                ReadToEnd();
                return Offset != before;
            }
            catch (IOException ex)
            {
                logger.LogWarning("Reading rotated log file {Path} failed: {Error}", path, ex.Message);
                FinishDraining();
                return false;
            }
        }

        /// <summary>The rotated-away file has been quiet: its trailing partial line is flushed and the handle closed.</summary>
        public void FinishDraining()
        {
            if (IsOpen)
            {
                FlushPartial();
            }

            Close();
        }

        public void Close()
        {
            Handle?.Dispose();
            Handle = null;
            identity = null;
        }

        private void ReadToEnd()
        {
            // Rented per read, not held per reader: 100 followed files each holding 64 KB cost 6.4 MB for nothing between writes.
            var buffer = ArrayPool<byte>.Shared.Rent(ReadChunkBytes);
            try
            {
                while (true)
                {
                    var read = RandomAccess.Read(Handle!, buffer.AsSpan(0, ReadChunkBytes), Offset);
                    if (read <= 0)
                    {
                        return;
                    }

                    Offset += read;
                    assembler.Append(buffer.AsSpan(0, read), lines);
                    Emit();
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private void FlushPartial()
        {
            if (assembler.Flush() is { } last)
            {
                lines.Add(last);
                Emit();
            }
        }

        private void Emit()
        {
            if (lines.Count == 0)
            {
                return;
            }

            onLines(lines.ToArray());
            lines.Clear();
        }
    }
}
