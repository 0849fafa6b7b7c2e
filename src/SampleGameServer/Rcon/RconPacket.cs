using System.Buffers.Binary;
using System.Text;

namespace SampleGameServer.Rcon;

public static class RconPacketType
{
    public const int ResponseValue = 0;
    public const int ExecCommand = 2;
    public const int AuthResponse = 2;
    public const int Auth = 3;
}

/// <summary>
/// One Source RCON packet: <c>int32 size | int32 id | int32 type | body | 0x00 0x00</c>, little-endian,
/// where size counts everything after itself (so an empty body gives size 10).
/// </summary>
public sealed record RconPacket(int Id, int Type, byte[] Body)
{
    public const int HeaderSize = 8;       // id + type
    public const int TerminatorSize = 2;   // body NUL + empty-string NUL
    public const int MinSize = HeaderSize + TerminatorSize;
    public const int MaxBodySize = 4096;
    public const int MaxIncomingSize = MaxBodySize + MinSize;

    public static RconPacket Create(int id, int type, string body = "") => new(id, type, Encoding.UTF8.GetBytes(body));

    /// <summary>The body as text, tolerating clients that put extra NULs before the terminator.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body).TrimEnd('\0');

    public int Size => HeaderSize + Body.Length + TerminatorSize;

    public static byte[] Serialize(params ReadOnlySpan<RconPacket> packets)
    {
        var length = 0;
        foreach (var packet in packets)
        {
            length += 4 + packet.Size;
        }

        // One buffer for all packets, so packets meant to travel together go out in one write.
        var buffer = new byte[length];
        var offset = 0;
        foreach (var packet in packets)
        {
            var span = buffer.AsSpan(offset);
            BinaryPrimitives.WriteInt32LittleEndian(span, packet.Size);
            BinaryPrimitives.WriteInt32LittleEndian(span[4..], packet.Id);
            BinaryPrimitives.WriteInt32LittleEndian(span[8..], packet.Type);
            packet.Body.CopyTo(span[12..]);
            offset += 4 + packet.Size; // the two terminating NULs are already zero
        }

        return buffer;
    }

    /// <summary>Parses the bytes after the size field (id, type, body, terminator).</summary>
    public static RconPacket Parse(ReadOnlySpan<byte> payload) => new(
        BinaryPrimitives.ReadInt32LittleEndian(payload),
        BinaryPrimitives.ReadInt32LittleEndian(payload[4..]),
        payload[HeaderSize..^TerminatorSize].ToArray());
}
