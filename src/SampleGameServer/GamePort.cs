using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SampleGameServer;

/// <summary>
/// The "game" TCP port: each connection is greeted, counted as a player, kept open until the client
/// leaves or the server stops, and then told that the server closed.
/// </summary>
public sealed class GamePort(ConnectionListener listener, string serverName) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Socket, string> _players = new();
    private int _nextPlayerNumber;

    public IPEndPoint LocalEndPoint => listener.LocalEndPoint;

    public IReadOnlyList<string> OnlinePlayers => _players.Values.Order(StringComparer.Ordinal).ToArray();

    public void Start() => listener.Start(ServePlayerAsync);

    private async Task ServePlayerAsync(Socket client, CancellationToken cancellationToken)
    {
        _players[client] = $"player{Interlocked.Increment(ref _nextPlayerNumber)}";
        try
        {
            await client.SendAsync(Line($"Welcome to \"{serverName}\" (sample game server {ServerInfo.Version})"), cancellationToken);

            // Whatever the client sends is ignored; the read only tells us when it leaves.
            var buffer = new byte[4096];
            while (await client.ReceiveAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await SayGoodbyeAsync(client);
        }
        finally
        {
            _players.TryRemove(client, out _);
        }
    }

    private static async Task SayGoodbyeAsync(Socket client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.SendAsync(Line("Server closed"), timeout.Token);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static byte[] Line(string text) => Encoding.UTF8.GetBytes(text + "\n");

    public void CloseListener() => listener.CloseListener();

    public ValueTask DisposeAsync() => listener.DisposeAsync();
}
