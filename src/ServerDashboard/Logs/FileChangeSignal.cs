using System.Threading.Channels;

namespace ServerDashboard.Logs;

/// <summary>
/// Wakes a tailer when its file (or the directory entry naming it) changes, and at the latest after a poll interval:
/// inotify can miss events (queue overflow, a directory created after the watch, bind mounts, NFS), and each
/// FileSystemWatcher costs an inotify instance (max_user_instances defaults to 128), so polling is the safety net.
/// </summary>
internal sealed class FileChangeSignal(string path, ILogger logger) : IDisposable
{
    private readonly Channel<bool> pending = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
    private readonly string fileName = Path.GetFileName(path);
    private FileSystemWatcher? watcher;
    private bool watchFailed;

    /// <summary>Starts watching once the directory exists (it may be created later, e.g. a game's logs/ folder).</summary>
    public void EnsureWatching()
    {
        if (watcher is not null || watchFailed || !Directory.Exists(directory))
        {
            return;
        }

        try
        {
            var created = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
                IncludeSubdirectories = false,
            };
            created.Changed += OnChange;
            created.Created += OnChange;
            created.Deleted += OnChange;
            created.Renamed += OnChange;
            created.Error += (_, _) => Notify(); // overflow: something changed, we do not know what
            created.EnableRaisingEvents = true;
            watcher = created;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Typically the inotify instance limit: polling alone still works, just with more latency.
            watchFailed = true;
            logger.LogWarning("Cannot watch {Directory} for log changes ({Error}); polling it instead", directory, ex.Message);
        }
    }

    public void Notify() => pending.Writer.TryWrite(true);

    /// <summary>Returns when a change was signalled or <paramref name="timeout"/> passed.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (pending.Reader.TryRead(out _))
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, stop.Token);
        var signal = pending.Reader.WaitToReadAsync(stop.Token).AsTask();
        await Task.WhenAny(delay, signal);
        await stop.CancelAsync();
        pending.Reader.TryRead(out _);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        if (e.Name == fileName || (e is RenamedEventArgs renamed && renamed.OldName == fileName))
        {
            Notify();
        }
    }

    public void Dispose() => watcher?.Dispose();
}
