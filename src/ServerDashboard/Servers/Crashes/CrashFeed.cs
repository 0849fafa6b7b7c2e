using ServerDashboard.Data;

namespace ServerDashboard.Servers.Crashes;

/// <summary>Tells open pages that a crash was recorded (so the Crashes tab and summaries refresh without a reload).</summary>
public sealed class CrashFeed(ILogger<CrashFeed> logger)
{
    private readonly Lock sync = new();
    private Action<CrashRecord>[] subscribers = [];

    public IDisposable Subscribe(Action<CrashRecord> onRecorded)
    {
        lock (sync)
        {
            subscribers = [.. subscribers, onRecorded];
        }

        return new Subscription(this, onRecorded);
    }

    internal void Publish(CrashRecord record)
    {
        foreach (var subscriber in Volatile.Read(ref subscribers))
        {
            try
            {
                subscriber(record);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A crash subscriber failed");
            }
        }
    }

    private void Unsubscribe(Action<CrashRecord> onRecorded)
    {
        lock (sync)
        {
            subscribers = subscribers.Where(s => s != onRecorded).ToArray();
        }
    }

    private sealed class Subscription(CrashFeed feed, Action<CrashRecord> onRecorded) : IDisposable
    {
        public void Dispose() => feed.Unsubscribe(onRecorded);
    }
}
