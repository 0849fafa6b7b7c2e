using System.Buffers.Binary;
using System.Text;

namespace ServerDashboard.Rcon;

/// <summary>The packet types of the Source RCON protocol (Minecraft uses the same numbers).</summary>
public static class RconPacketType
{
    public const int ResponseValue = 0;

    /// <summary>Client to server it is EXECCOMMAND; server to client the same number is AUTH_RESPONSE.</summary>
    public const int ExecCommand = 2;

    public const int AuthResponse = 2;

    public const int Auth = 3;
}

/// <summary>
/// One packet: <c>int32 size | int32 id | int32 type | body | 0x00 0x00</c>, little-endian, where
/// <c>size = 4 + 4 + len(body) + 2</c>. Ids are signed: -1 is the server's "authentication failed".
/// </summary>
public sealed record RconPacket(int Id, int Type, byte[] Body)
{
    /// <summary>id + type + the two terminating NULs: an empty packet.</summary>
    public const int MinSize = 10;

    /// <summary>Source caps a body at 4096 bytes; odd servers send more, so accept up to 64 KiB (but never trust more).</summary>
    public const int MaxBodyLength = 64 * 1024;

    public const int MaxSize = MinSize + MaxBodyLength;

    /// <summary>The largest body Source and Minecraft put in one reply packet; longer replies are split.</summary>
    public const int ServerFragmentLength = 4096;

    public string BodyText => Encoding.UTF8.GetString(Body);

    public static RconPacket Create(int id, int type, string body) => new(id, type, Encoding.UTF8.GetBytes(body));

    /// <summary>The packet on the wire, size prefix included.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[4 + MinSize + Body.Length];
        EncodeInto(bytes);
        return bytes;
    }

    public int EncodedLength => 4 + MinSize + Body.Length;

    /// <summary>Writes <see cref="EncodedLength"/> bytes; the caller provides a buffer at least that large.</summary>
    public void EncodeInto(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, MinSize + Body.Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], Id);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], Type);
        Body.CopyTo(destination[12..]);
        destination[12 + Body.Length] = 0;
        destination[13 + Body.Length] = 0;
    }
}
