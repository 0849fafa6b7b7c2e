using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SampleGameServer.Rcon;

/// <summary>The Source RCON listener on 127.0.0.1; every connection is an independent <see cref="RconSession"/>.</summary>
public sealed class RconServer(
    ConnectionListener listener, RconOptions options, CommandProcessor commands, ServerLifetime lifetime, ServerLog log)
    : IAsyncDisposable
{
    private readonly byte[] _passwordBytes = Encoding.UTF8.GetBytes(options.Password);
    private readonly RconDialect _dialect = RconDialect.For(options.Style);

    public IPEndPoint LocalEndPoint => listener.LocalEndPoint;

    public void Start() => listener.Start(ServeAsync);

    private Task ServeAsync(Socket client, CancellationToken cancellationToken) =>
        new RconSession(client, _passwordBytes, _dialect, commands, lifetime, log).RunAsync(cancellationToken);

    public ValueTask DisposeAsync() => listener.DisposeAsync();
}
