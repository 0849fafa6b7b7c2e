using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ServerDashboard.Processes;

/// <summary>
/// Fan-out of daemon exits to any number of watchers (e.g. the supervisor that restarts crashed servers). Each watcher has
/// its own bounded buffer; one that does not keep up loses its oldest exits and never slows exit detection down.
/// </summary>
public sealed class DaemonExitFeed
{
    private const int SubscriberCapacity = 256;

    private readonly Lock _lock = new();
    private readonly List<Channel<DaemonExit>> _subscribers = [];

    /// <summary>Every exit detected from the moment of the call until <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<DaemonExit> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<DaemonExit>(new BoundedChannelOptions(SubscriberCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_lock)
        {
            _subscribers.Add(channel);
        }

        try
        {
            await foreach (DaemonExit exit in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return exit;
            }
        }
        finally
        {
            lock (_lock)
            {
                _subscribers.Remove(channel);
            }
        }
    }

    internal void Publish(DaemonExit exit)
    {
        lock (_lock)
        {
            foreach (Channel<DaemonExit> subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(exit);
            }
        }
    }
}
