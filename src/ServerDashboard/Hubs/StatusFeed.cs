using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ServerDashboard.Servers;

namespace ServerDashboard.Hubs;

/// <summary>
/// Bridges <see cref="ServerStatusBoard"/>'s callbacks into a bounded per-subscriber channel: the board notifies on the thread
/// that changed a status, so the callback must never block it (drop oldest when a reader falls behind).
/// </summary>
internal sealed class StatusFeed : IDisposable
{
    private const int Capacity = 256;

    private readonly Channel<ServerStatus> channel = Channel.CreateBounded<ServerStatus>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly IDisposable subscription;

    private StatusFeed(ServerStatusBoard board) => subscription = board.Subscribe(status => channel.Writer.TryWrite(status));

    public static StatusFeed Open(ServerStatusBoard board) => new(board);

    /// <summary>Waits for a change, then yields everything queued by then as one batch.</summary>
    public async IAsyncEnumerable<IReadOnlyList<ServerStatus>> ReadBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = channel.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            var batch = new List<ServerStatus>();
            while (reader.TryRead(out var status))
            {
                batch.Add(status);
            }

            yield return batch;
        }
    }

    public void Dispose()
    {
        subscription.Dispose();
        channel.Writer.TryComplete();
    }
}
