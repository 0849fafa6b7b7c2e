using System.IO.Pipelines;
using ServerDashboard.Rcon;

namespace ServerDashboard.Tests.Rcon;

/// <summary>A duplex stream over two pipes: what the client writes, the fake server reads, and back.</summary>
internal sealed class DuplexStream(Stream readFrom, Stream writeTo) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => readFrom.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => readFrom.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => readFrom.ReadAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => writeTo.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => writeTo.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => writeTo.WriteAsync(buffer, offset, count, cancellationToken);
    public override void Flush() => writeTo.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => writeTo.FlushAsync(cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            readFrom.Dispose();
            writeTo.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Hands out its bytes at most <paramref name="chunk"/> at a time, like a slow network.</summary>
internal sealed class ChunkedStream(byte[] data, int chunk) : Stream
{
    private int position;

    public int Reads { get; private set; }
    public override bool CanRead => true;
    public override bool CanWrite => false;
    public override bool CanSeek => false;
    public override long Length => data.Length;
    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Reads++;
        var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - position);
        data.AsSpan(position, n).CopyTo(buffer);
        position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>The server end of an in-memory RCON connection, driven step by step by a test.</summary>
internal sealed class FakeRconServer : IAsyncDisposable
{
    private readonly Pipe toClient = new();
    private readonly Pipe fromClient = new();
    private readonly RconPacketReader requests;

    public FakeRconServer()
    {
        requests = new RconPacketReader(fromClient.Reader, "client");
        ClientStream = new DuplexStream(toClient.Reader.AsStream(), fromClient.Writer.AsStream());
    }

    public const string Endpoint = "fake:25575";

    public Stream ClientStream { get; }

    public static RconOptions FastOptions => new()
    {
        CommandTimeout = TimeSpan.FromSeconds(2),
        AuthFollowUpTimeout = TimeSpan.FromMilliseconds(200),
        FragmentIdleTimeout = TimeSpan.FromMilliseconds(100),
    };

    public async Task<RconPacket> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await requests.ReadAsync(timeout.Token) ?? throw new EndOfStreamException("the client closed the connection");
    }

    /// <summary>All packets in one write, as a server that coalesces them would send.</summary>
    public async Task SendAsync(params RconPacket[] packets)
    {
        await toClient.Writer.WriteAsync(packets.SelectMany(p => p.Encode()).ToArray());
    }

    public async Task SendRawAsync(byte[] bytes) => await toClient.Writer.WriteAsync(bytes);

    public Task SendAsync(int id, int type, string body) => SendAsync(RconPacket.Create(id, type, body));

    public async Task CloseAsync() => await toClient.Writer.CompleteAsync();

    /// <summary>Starts the client's auth, answers it like Minecraft (or srcds), and returns the connected client.</summary>
    public async Task<RconClient> ConnectClientAsync(bool sourceStyle, RconOptions? options = null)
    {
        var client = new RconClient(options ?? FastOptions);
        var auth = client.AuthenticateAsync(ClientStream, Endpoint, "pw", CancellationToken.None);
        var request = await ReceiveAsync();
        Assert.Equal((RconPacketType.Auth, "pw"), (request.Type, request.BodyText));
        if (sourceStyle)
        {
            await SendAsync(new RconPacket(request.Id, RconPacketType.ResponseValue, []), new RconPacket(request.Id, RconPacketType.AuthResponse, []));
        }
        else
        {
            await SendAsync(request.Id, RconPacketType.AuthResponse, "");
        }

        await auth;
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await toClient.Writer.CompleteAsync();
        await fromClient.Reader.CompleteAsync();
    }
}
