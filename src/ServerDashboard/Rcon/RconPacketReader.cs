using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace ServerDashboard.Rcon;

/// <summary>
/// Frames packets strictly by their length prefix over a <see cref="PipeReader"/>: several packets in one TCP read and
/// one packet split over many reads both work. The size field is checked before anything waits for or copies the
/// body, so a hostile size never turns into an allocation.
/// </summary>
public sealed class RconPacketReader
{
    private readonly PipeReader reader;
    private readonly string source;

    /// <param name="source">The peer, for error messages (e.g. <c>127.0.0.1:25575</c>).</param>
    public RconPacketReader(PipeReader reader, string source)
    {
        this.reader = reader;
        this.source = source;
    }

    public RconPacketReader(Stream stream, string source)
        : this(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)), source)
    {
    }

    /// <summary>The next packet, or null when the peer closed the connection between packets.</summary>
    /// <exception cref="RconProtocolException">The size field is out of range.</exception>
    /// <exception cref="RconConnectionException">The peer closed the connection in the middle of a packet.</exception>
    public async ValueTask<RconPacket?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            RconPacket? packet;
            try
            {
                packet = TryParse(ref buffer);
            }
            catch
            {
                reader.AdvanceTo(buffer.Start);
                throw;
            }

            if (packet is not null)
            {
                reader.AdvanceTo(buffer.Start);
                return packet;
            }

            // Nothing consumed, everything examined: the next ReadAsync waits for more bytes.
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return buffer.IsEmpty
                    ? null
                    : throw new RconConnectionException($"{source} closed the connection in the middle of a packet ({buffer.Length} bytes left over)");
            }
        }
    }

    private RconPacket? TryParse(ref ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < 4)
        {
            return null;
        }

        Span<byte> header = stackalloc byte[12];
        buffer.Slice(0, Math.Min(12, buffer.Length)).CopyTo(header);
        var size = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (size is < RconPacket.MinSize or > RconPacket.MaxSize)
        {
            throw new RconProtocolException($"invalid packet size {size} from {source} (expected {RconPacket.MinSize}-{RconPacket.MaxSize})");
        }

        if (buffer.Length < 4 + size)
        {
            return null;
        }

        var id = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        var type = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        // The two trailing bytes should be NULs; servers are sloppy about them and no client checks, so neither do we.
        var body = buffer.Slice(12, size - RconPacket.MinSize).ToArray();
        buffer = buffer.Slice(4 + size);
        return new RconPacket(id, type, body);
    }
}
