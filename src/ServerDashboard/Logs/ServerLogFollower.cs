namespace ServerDashboard.Logs;

/// <summary>
/// A file to follow for a server, the Source its lines carry ("console" or the relative path), and the directory it must
/// stay beneath (console.log: the server's directory; extra log files: the working directory).
/// </summary>
public readonly record struct LogSource(string Path, string Name, string Directory);

/// <summary>The tailers of one server: its console.log and its extra log files, all feeding its buffer in the hub.</summary>
internal sealed class ServerLogFollower(int serverId, ServerLogHub hub, int initialLines, TimeSpan unwatchedDelay, TimeProvider time, ILogger logger)
    : IAsyncDisposable
{
    private readonly Dictionary<string, (LogSource Source, CancellationTokenSource Stop, Task Run, LogFileTailer Tailer)> tailers = new(StringComparer.Ordinal);
    private readonly Lock sync = new();

    public int ServerId => serverId;

    /// <summary>Starts tailers for new sources and stops those no longer wanted.</summary>
    public async Task FollowAsync(IReadOnlyCollection<LogSource> sources)
    {
        List<(CancellationTokenSource Stop, Task Run)> stopped = [];
        lock (sync)
        {
            foreach (var source in sources.Where(s => !tailers.ContainsKey(s.Path)))
            {
                tailers[source.Path] = Start(source);
            }

            foreach (var path in tailers.Keys.Where(p => sources.All(s => s.Path != p)).ToList())
            {
                stopped.Add((tailers[path].Stop, tailers[path].Run));
                tailers.Remove(path);
            }
        }

        await StopAsync(stopped);
    }

    /// <summary>Completes once every followed file's current content has been read (see <see cref="LogFileTailer.CatchUpAsync"/>).</summary>
    public Task CatchUpAsync()
    {
        lock (sync)
        {
            return Task.WhenAll(tailers.Values.Select(t => t.Tailer.CatchUpAsync()));
        }
    }

    public IReadOnlyList<LogSource> Sources
    {
        get
        {
            lock (sync)
            {
                return tailers.Values.Select(t => t.Source).ToList();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<(CancellationTokenSource, Task)> all;
        lock (sync)
        {
            all = tailers.Values.Select(t => (t.Stop, t.Run)).ToList();
            tailers.Clear();
        }

        await StopAsync(all);
    }

    private (LogSource, CancellationTokenSource, Task, LogFileTailer) Start(LogSource source)
    {
        // A file that exists already fills the buffer with its last lines; one that appears later is read from its start.
        var start = File.Exists(source.Path) ? new TailStart(initialLines) : TailStart.Beginning;
        var tailer = new LogFileTailer(source.Path, start, time, logger)
        {
            Directory = source.Directory,
            IsWatched = () => hub.IsWatched(serverId),
            UnwatchedDelay = unwatchedDelay,
        };
        var stop = new CancellationTokenSource();
        var run = Task.Run(async () =>
        {
            try
            {
                await tailer.RunAsync(lines => hub.Append(serverId, source.Name, lines), stop.Token,
                    refusal => hub.Append(serverId, LogMarkers.Source, [LogMarkers.Refused(source.Name, refusal)]));
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Tailing {Path} of server {ServerId} failed", source.Path, serverId);
            }
        }, CancellationToken.None);
        return (source, stop, run, tailer);
    }

    private static async Task StopAsync(List<(CancellationTokenSource Stop, Task Run)> tailers)
    {
        foreach (var (stop, _) in tailers)
        {
            await stop.CancelAsync();
        }

        await Task.WhenAll(tailers.Select(t => t.Run));
        foreach (var (stop, _) in tailers)
        {
            stop.Dispose();
        }
    }
}
