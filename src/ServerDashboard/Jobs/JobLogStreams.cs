using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using ServerDashboard.Logs;

namespace ServerDashboard.Jobs;

/// <summary>
/// The live log of each job for the console component (the same xterm console as servers, read-only): one
/// <see cref="LogBuffer"/> per job name, filled by <see cref="JobRunner"/> under its lock as it tails the job's log, so
/// lines arrive in order and exactly once; subscribers get the backlog, then live batches (like <see cref="ServerLogHub"/>).
/// A new run of a name gets a fresh buffer (its subscribers see a "restarted" marker); the buffers of the most recent
/// finished runs are kept so a page opened just after the end still shows the log.
/// </summary>
public sealed class JobLogStreams(IOptions<LogOptions> logOptions, TimeProvider time)
{
    /// <summary>Lines kept per job (the log file keeps everything).</summary>
    public const int BufferLines = 5_000;

    /// <summary>Lines of an archived run's log a late subscriber is seeded with.</summary>
    public const int SeedLines = 1_000;

    private const int KeepFinished = 16;

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <summary>A run starts or is adopted: a fresh buffer (subscribers of the previous run's buffer resubscribe).</summary>
    public void Begin(string name)
    {
        var fresh = new Entry(new LogBuffer(BufferLines, time));
        if (entries.TryGetValue(name, out var old))
        {
            old.Buffer.Complete();
        }

        entries[name] = fresh;
    }

    public void Append(string name, IReadOnlyList<string> lines)
    {
        if (lines.Count > 0)
        {
            entries.GetOrAdd(name, _ => new Entry(new LogBuffer(BufferLines, time))).Buffer.Append("console", lines);
        }
    }

    /// <summary>The run ended: its buffer stays for late readers until <see cref="KeepFinished"/> newer runs have ended.</summary>
    public void Finished(string name)
    {
        if (entries.TryGetValue(name, out var entry))
        {
            entry.FinishedAt = time.GetTimestamp();
        }

        foreach (var (oldName, old) in entries.Where(e => e.Value.FinishedAt is not null)
                     .OrderByDescending(e => e.Value.FinishedAt).Skip(KeepFinished).ToList())
        {
            if (entries.TryRemove(new KeyValuePair<string, Entry>(oldName, old)))
            {
                old.Buffer.Complete();
            }
        }
    }

    public bool Has(string name) => entries.ContainsKey(name);

    /// <summary>
    /// The backlog (the last lines, or those after <paramref name="afterSeq"/>), then live batches. A name with no buffer
    /// (a run that ended before this dashboard started) is seeded once from <paramref name="seed"/> (its archived log).
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<LogLine>> SubscribeAsync(
        string name, long? afterSeq, Func<IReadOnlyList<string>> seed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var entry = entries.GetOrAdd(name, _ =>
        {
            var seeded = new Entry(new LogBuffer(BufferLines, time)) { FinishedAt = time.GetTimestamp() };
            seeded.Buffer.Append("console", seed());
            return seeded;
        });
        var settings = logOptions.Value;
        var subscriber = new LogSubscriber(settings.SubscriberQueueLines, settings.SubscriberQueueBytes);
        await foreach (var batch in entry.Buffer.StreamAsync(subscriber, afterSeq, BufferLines, cancellationToken))
        {
            yield return batch;
        }
    }

    private sealed class Entry(LogBuffer buffer)
    {
        public LogBuffer Buffer { get; } = buffer;

        public long? FinishedAt { get; set; }
    }
}
