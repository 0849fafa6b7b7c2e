using System.Threading.Channels;

namespace ServerDashboard.Notifications;

/// <summary>
/// Events on their way to the delivery store, in the order they happened. Sources publish from their own threads (the
/// status board under its update lock), so publishing never blocks: <see cref="WebhookOutbox"/> takes them from here.
/// </summary>
public sealed class NotificationQueue
{
    private readonly Channel<NotificationEvent> channel = Channel.CreateUnbounded<NotificationEvent>(new UnboundedChannelOptions { SingleReader = true });

    public void Publish(NotificationEvent e) => channel.Writer.TryWrite(e);

    internal ChannelReader<NotificationEvent> Reader => channel.Reader;
}

/// <summary>Wakes the dispatcher when a delivery is queued (at most one wake-up is kept: it re-reads everything anyway).</summary>
public sealed class DeliverySignal
{
    private readonly Channel<bool> channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => channel.Writer.TryWrite(true);

    /// <summary>Waits for a wake-up, or until <paramref name="cancellationToken"/> fires (a timer or shutdown).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await channel.Reader.ReadAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
