using System.Text;

namespace SampleGameServer.Rcon;

/// <summary>
/// Where Minecraft's and Valve's RCON servers differ. Each reply is a list of socket writes;
/// a write may hold several packets when the real server sends them together.
/// </summary>
public abstract class RconDialect
{
    public static RconDialect For(RconStyle style) => style switch
    {
        RconStyle.Source => new SourceRconDialect(),
        _ => new MinecraftRconDialect(),
    };

    public abstract IReadOnlyList<byte[]> AuthReply(int requestId, bool accepted);

    /// <summary>The reply to a packet that is neither auth nor a command; empty means ignore it.</summary>
    public abstract IReadOnlyList<byte[]> OtherPacketReply(RconPacket packet);

    /// <summary>
    /// The command output as RESPONSE_VALUE packets of at most 4096 body bytes, all carrying the
    /// request id, one write each. An empty output still gets one (empty) packet.
    /// </summary>
    public IReadOnlyList<byte[]> CommandReply(int requestId, string output)
    {
        var body = Encoding.UTF8.GetBytes(output);
        var writes = new List<byte[]>();
        var offset = 0;
        do
        {
            var length = FragmentLength(body, offset);
            writes.Add(RconPacket.Serialize(new RconPacket(requestId, RconPacketType.ResponseValue, body[offset..(offset + length)])));
            offset += length;
        }
        while (offset < body.Length);

        return writes;
    }

    /// <summary>Up to 4096 bytes, shortened so a multi-byte UTF-8 character is never cut in two.</summary>
    private static int FragmentLength(byte[] body, int offset)
    {
        var length = Math.Min(RconPacket.MaxBodySize, body.Length - offset);
        if (offset + length < body.Length)
        {
            while (length > 0 && (body[offset + length] & 0b1100_0000) == 0b1000_0000)
            {
                length--;
            }
        }

        return length;
    }

    /// <summary>The "not authenticated" reply: an AUTH_RESPONSE with id -1.</summary>
    public static byte[] AuthFailure() => RconPacket.Serialize(RconPacket.Create(-1, RconPacketType.AuthResponse));
}

/// <summary>
/// Vanilla Minecraft: a single AUTH_RESPONSE; type 2 is a command; other types get no reply here
/// (real Minecraft answers them with "Unknown request &lt;hex&gt;", which clients never rely on).
/// </summary>
public sealed class MinecraftRconDialect : RconDialect
{
    public override IReadOnlyList<byte[]> AuthReply(int requestId, bool accepted) =>
        [RconPacket.Serialize(RconPacket.Create(accepted ? requestId : -1, RconPacketType.AuthResponse))];

    public override IReadOnlyList<byte[]> OtherPacketReply(RconPacket packet) => [];
}

/// <summary>
/// Valve srcds: auth is answered by an empty RESPONSE_VALUE followed by the AUTH_RESPONSE in one write,
/// and a RESPONSE_VALUE from the client is mirrored back empty, which clients use to find the end
/// of a multi-packet reply (the "empty packet trick").
/// </summary>
public sealed class SourceRconDialect : RconDialect
{
    public override IReadOnlyList<byte[]> AuthReply(int requestId, bool accepted) =>
    [
        RconPacket.Serialize(
            RconPacket.Create(requestId, RconPacketType.ResponseValue),
            RconPacket.Create(accepted ? requestId : -1, RconPacketType.AuthResponse)),
    ];

    public override IReadOnlyList<byte[]> OtherPacketReply(RconPacket packet) =>
        packet.Type == RconPacketType.ResponseValue
            ? [RconPacket.Serialize(RconPacket.Create(packet.Id, RconPacketType.ResponseValue))]
            : [];
}
