using System.Net;
using System.Net.Sockets;
using ServerDashboard.Rcon;

namespace ServerDashboard.Tests.Rcon;

/// <summary>
/// A real TCP RCON server on 127.0.0.1 whose answers a test scripts: auth is accepted Minecraft-style (one AUTH_RESPONSE
/// with the request's id), then every command packet goes to <see cref="OnCommand"/> with the raw stream, so a test can
/// stall, close mid-reply, split bytes, send garbage or huge replies.
/// </summary>
internal sealed class ScriptedRconServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task acceptLoop;

    public ScriptedRconServer(Func<RconPacket, Stream, CancellationToken, Task> onCommand, Func<RconPacket, Stream, CancellationToken, Task>? onAuth = null)
    {
        OnCommand = onCommand;
        OnAuth = onAuth ?? ((auth, stream, ct) => SendAsync(stream, new RconPacket(auth.Id, RconPacketType.AuthResponse, []), ct));
        listener.Start();
        acceptLoop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public int Connections;

    public Func<RconPacket, Stream, CancellationToken, Task> OnCommand { get; set; }

    public Func<RconPacket, Stream, CancellationToken, Task> OnAuth { get; set; }

    public static async Task SendAsync(Stream stream, RconPacket packet, CancellationToken cancellationToken)
    {
        var bytes = new byte[packet.EncodedLength];
        packet.EncodeInto(bytes);
        await stream.WriteAsync(bytes, cancellationToken);
    }

    public static byte[] Encode(RconPacket packet)
    {
        var bytes = new byte[packet.EncodedLength];
        packet.EncodeInto(bytes);
        return bytes;
    }

    public static Task ReplyAsync(RconPacket command, Stream stream, string text, CancellationToken cancellationToken) =>
        SendAsync(stream, RconPacket.Create(command.Id, RconPacketType.ResponseValue, text), cancellationToken);

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            Interlocked.Increment(ref Connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var reader = new RconPacketReader(stream, "client");
            while (await reader.ReadAsync(stop.Token) is { } packet)
            {
                if (packet.Type == RconPacketType.Auth)
                {
                    await OnAuth(packet, stream, stop.Token);
                }
                else if (packet.Type == RconPacketType.ExecCommand)
                {
                    await OnCommand(packet, stream, stop.Token);
                }
            }
        }
        catch (Exception)
        {
            // the client went away, or a script closed the stream on purpose
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            await acceptLoop;
        }
        catch (Exception)
        {
        }

        stop.Dispose();
    }
}
