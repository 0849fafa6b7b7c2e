using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SampleGameServer;

/// <summary>
/// A TCP listener that is bound at startup but only listens once the server is ready.
/// Binding early makes a busy port fail fast (exit 1); listening late means "port accepts" and
/// the "Done" line mean the same thing. Tracks open connections so shutdown can close them all.
/// </summary>
public sealed class ConnectionListener : IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly CancellationTokenSource _closing = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _disposed;

    private ConnectionListener(Socket socket) => _socket = socket;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Binds the address; throws <see cref="SocketException"/> (e.g. AddressAlreadyInUse).</summary>
    public static ConnectionListener Bind(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            return new ConnectionListener(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts accepting; each connection runs <paramref name="serve"/> until it returns or shutdown.</summary>
    public void Start(Func<Socket, CancellationToken, Task> serve)
    {
        _socket.Listen(backlog: 64);
        _acceptLoop = AcceptLoopAsync(serve, _closing.Token);
    }

    private async Task AcceptLoopAsync(Func<Socket, CancellationToken, Task> serve, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                                      || (e is SocketException && cancellationToken.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException)
            {
                // A client that reset before we accepted it (ECONNABORTED): keep accepting.
                continue;
            }

            client.NoDelay = true;
            var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[client] = served.Task;
            _ = ServeAsync(client, serve, served, cancellationToken);
        }
    }

    private async Task ServeAsync(
        Socket client, Func<Socket, CancellationToken, Task> serve, TaskCompletionSource served, CancellationToken cancellationToken)
    {
        try
        {
            await serve(client, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or we are shutting down: both just end the connection.
        }
        finally
        {
            _connections.TryRemove(client, out _);
            client.Dispose();
            served.TrySetResult();
        }
    }

    /// <summary>
    /// Closes the listening socket while the server keeps running (the <c>close-listener</c> command): new connections
    /// are refused, open ones go on. Lets tests see a live process whose game port stopped answering.
    /// </summary>
    public void CloseListener()
    {
        _closing.Cancel();
        _socket.Dispose();
    }

    /// <summary>Stops accepting, lets connections say goodbye, then closes whatever is left.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _closing.CancelAsync();
        _socket.Dispose();
        await _acceptLoop;

        var open = _connections.Values.ToArray();
        try
        {
            await Task.WhenAll(open).WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            foreach (var client in _connections.Keys)
            {
                client.Dispose();
            }
        }

        // _closing is deliberately not disposed: force-closed connections may still be unwinding and
        // observing its token; without a timer it holds nothing the GC cannot reclaim.
    }
}
