using System.Buffers.Binary;

namespace SampleGameServer.Rcon;

/// <summary>
/// Frames packets strictly by the length prefix. Reading exactly "size" bytes per packet means
/// several packets in one TCP read and packets split across reads are both handled.
/// </summary>
public sealed class RconPacketReader(Stream stream)
{
    private readonly byte[] _sizeField = new byte[4];

    /// <summary>The next packet, or null when the client closed the connection.</summary>
    /// <exception cref="InvalidDataException">The size field is out of range.</exception>
    public async Task<RconPacket?> ReadAsync(CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(_sizeField, _sizeField.Length, throwOnEndOfStream: false, cancellationToken);
        if (read < _sizeField.Length)
        {
            return null;
        }

        var size = BinaryPrimitives.ReadInt32LittleEndian(_sizeField);
        if (size is < RconPacket.MinSize or > RconPacket.MaxIncomingSize)
        {
            throw new InvalidDataException($"RCON packet size {size} is outside {RconPacket.MinSize}-{RconPacket.MaxIncomingSize}");
        }

        var payload = new byte[size];
        try
        {
            await stream.ReadExactlyAsync(payload, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            return null;
        }

        return RconPacket.Parse(payload);
    }
}
