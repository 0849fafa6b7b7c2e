using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using ServerDashboard.Api;
using ServerDashboard.Jobs;
using ServerDashboard.Logs;

namespace ServerDashboard.Hubs;

/// <summary>One change of a job: its status (null when its record is unreadable) and the log lines it printed since the last event.</summary>
public sealed record JobStreamEvent(string Name, JobView? Job, IReadOnlyList<string> Lines, bool Finished);

public sealed partial class DashboardHub
{
    /// <summary>
    /// Jobs (docs/jobs.md): first the current status of every running job (or of <paramref name="name"/> only), then each
    /// status change and each batch of new log lines as the dashboard tails the job logs. A slow reader loses the oldest
    /// events, never the newest.
    /// </summary>
    public async IAsyncEnumerable<JobStreamEvent> SubscribeJobs(string? name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var runner = services.GetService<JobRunner>() ?? throw new HubException("Jobs are not available");
        using var slot = AcquireStreamSlot();
        var channel = Channel.CreateBounded<JobEvent>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        void OnChanged(JobEvent e)
        {
            if (name is null || e.Name == name)
            {
                channel.Writer.TryWrite(e);
            }
        }

        runner.Changed += OnChanged;
        try
        {
            foreach (var read in runner.ListCurrent().Where(r => name is null || r.Name == name))
            {
                yield return new JobStreamEvent(read.Name, read.Record is { } r ? JobView.From(r, time.GetUtcNow()) : null, [], false);
            }

            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return new JobStreamEvent(e.Name, e.Record is { } r ? JobView.From(r, time.GetUtcNow()) : null, e.Lines, e.Finished);
            }
        }
        finally
        {
            runner.Changed -= OnChanged;
        }
    }

    /// <summary>
    /// One job's log for the console component (docs/hub.md): the backlog (the last lines, or those after
    /// <paramref name="afterSeq"/>), then live batches as the dashboard tails the log, like <see cref="SubscribeLogs"/>.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<LogLine>> SubscribeJobLog(string name, long? afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var runner = services.GetService<JobRunner>() ?? throw new HubException("Jobs are not available");
        var streams = services.GetRequiredService<JobLogStreams>();
        if (!JobFiles.IsValidName(name) || (!streams.Has(name) && runner.Find(name) is null))
        {
            throw new HubException($"No job named '{name}'");
        }

        using var slot = AcquireStreamSlot();
        await foreach (var batch in streams.SubscribeAsync(name, afterSeq, () => runner.LogTail(name, JobLogStreams.SeedLines), cancellationToken))
        {
            yield return batch;
        }
    }
}
