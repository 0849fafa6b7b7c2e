using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerDashboard.Tests.SampleGameServer;

internal sealed record RconTestPacket(int Id, int Type, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A deliberately raw Source RCON client (no shared code with the server), so the tests check the
/// bytes on the wire rather than the server's own packet code.
/// </summary>
internal sealed class RconTestClient : IAsyncDisposable
{
    public const int ResponseValue = 0;
    public const int ExecCommand = 2;
    public const int AuthResponse = 2;
    public const int Auth = 3;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;

    private RconTestClient(Socket socket) => _socket = socket;

    public static async Task<RconTestClient> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cancellation = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation.Token);
        return new RconTestClient(socket);
    }

    public static byte[] Encode(int id, int type, string body)
    {
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        var packet = new byte[4 + 4 + 4 + bodyBytes.Length + 2];
        BinaryPrimitives.WriteInt32LittleEndian(packet, packet.Length - 4);
        BinaryPrimitives.WriteInt32LittleEndian(packet.AsSpan(4), id);
        BinaryPrimitives.WriteInt32LittleEndian(packet.AsSpan(8), type);
        bodyBytes.CopyTo(packet, 12);
        return packet;
    }

    public Task SendAsync(int id, int type, string body) => SendRawAsync(Encode(id, type, body));

    public async Task SendRawAsync(byte[] bytes)
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        await _socket.SendAsync(bytes, cancellation.Token);
    }

    public async Task<RconTestPacket> ReceiveAsync()
    {
        var size = BinaryPrimitives.ReadInt32LittleEndian(await ReceiveExactlyAsync(4));
        Assert.InRange(size, 10, 4096 + 10);
        var payload = await ReceiveExactlyAsync(size);
        Assert.Equal(new byte[] { 0, 0 }, payload[^2..]);
        return new RconTestPacket(
            BinaryPrimitives.ReadInt32LittleEndian(payload),
            BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4)),
            payload[8..^2]);
    }

    /// <summary>Authenticates and returns the id of the AUTH_RESPONSE (the request id, or -1).</summary>
    public async Task<int> AuthenticateAsync(string password, int requestId = 1)
    {
        await SendAsync(requestId, Auth, password);
        var reply = await ReceiveAsync();
        Assert.Equal(AuthResponse, reply.Type);
        return reply.Id;
    }

    /// <summary>True when the server closed (or reset) the connection before sending anything more.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        try
        {
            return await _socket.ReceiveAsync(new byte[1], cancellation.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private async Task<byte[]> ReceiveExactlyAsync(int count)
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        var buffer = new byte[count];
        var received = 0;
        while (received < count)
        {
            var read = await _socket.ReceiveAsync(buffer.AsMemory(received), cancellation.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"RCON server closed the connection after {received} of {count} bytes");
            }

            received += read;
        }

        return buffer;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
