using System.Buffers.Binary;
using ServerDashboard.Rcon;

namespace ServerDashboard.Tests.Rcon;

public sealed class RconPacketReaderTests
{
    private static byte[] Bytes(params RconPacket[] packets) => packets.SelectMany(p => p.Encode()).ToArray();

    private static RconPacketReader ReaderOver(Stream stream) => new(stream, "127.0.0.1:25575");

    [Fact]
    public async Task Two_packets_arriving_in_one_read_are_both_framed()
    {
        var reader = ReaderOver(new MemoryStream(Bytes(RconPacket.Create(7, 0, "first"), RconPacket.Create(8, 2, "second"))));

        var first = await reader.ReadAsync(CancellationToken.None);
        var second = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal((7, 0, "first"), (first!.Id, first.Type, first.BodyText));
        Assert.Equal((8, 2, "second"), (second!.Id, second.Type, second.BodyText));
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_packet_delivered_one_byte_per_read_is_reassembled()
    {
        var bytes = Bytes(RconPacket.Create(42, 0, "héllo wörld"), RconPacket.Create(43, 0, "next"));
        var stream = new ChunkedStream(bytes, chunk: 1);
        var reader = ReaderOver(stream);

        var packet = await reader.ReadAsync(CancellationToken.None);
        var next = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal("héllo wörld", packet!.BodyText);
        Assert.Equal("next", next!.BodyText);
        Assert.True(stream.Reads >= bytes.Length, $"only {stream.Reads} reads");
    }

    [Fact]
    public async Task Negative_ids_and_empty_bodies_survive_the_round_trip()
    {
        var reader = ReaderOver(new MemoryStream(Bytes(new RconPacket(-1, 2, []), new RconPacket(int.MinValue, 0, []))));

        var failed = await reader.ReadAsync(CancellationToken.None);
        var min = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal((-1, 2, 0), (failed!.Id, failed.Type, failed.Body.Length));
        Assert.Equal(int.MinValue, min!.Id);
        Assert.Empty(min.Body);
    }

    [Fact]
    public void An_empty_packet_is_ten_bytes_after_the_size_field_and_ends_in_two_nuls()
    {
        var bytes = new RconPacket(5, 0, []).Encode();

        Assert.Equal(14, bytes.Length);
        Assert.Equal(10, BinaryPrimitives.ReadInt32LittleEndian(bytes));
        Assert.Equal(new byte[] { 0, 0 }, bytes[^2..]);
    }

    [Fact]
    public async Task A_body_larger_than_source_allows_is_tolerated_up_to_64_KiB()
    {
        var body = new byte[RconPacket.MaxBodyLength];
        Array.Fill(body, (byte)'x');
        var reader = ReaderOver(new MemoryStream(Bytes(new RconPacket(1, 0, body))));

        Assert.Equal(RconPacket.MaxBodyLength, (await reader.ReadAsync(CancellationToken.None))!.Body.Length);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(RconPacket.MaxSize + 1)]
    public async Task A_size_field_out_of_range_is_a_clear_protocol_error(int size)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, size);
        var reader = ReaderOver(new MemoryStream([.. header, .. new byte[20]]));

        var error = await Assert.ThrowsAsync<RconProtocolException>(() => reader.ReadAsync(CancellationToken.None).AsTask());

        Assert.StartsWith($"invalid packet size {size} from 127.0.0.1:25575", error.Message);
    }

    [Fact]
    public async Task A_huge_size_field_is_refused_without_allocating_it()
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, int.MaxValue);
        // A MemoryStream completes synchronously, so all the reader's work happens on this thread and is counted here.
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = await Assert.ThrowsAsync<RconProtocolException>(() => ReaderOver(new MemoryStream(header)).ReadAsync(CancellationToken.None).AsTask());

        Assert.Contains($"invalid packet size {int.MaxValue}", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024, "the reader allocated from the size field");
    }

    [Fact]
    public async Task A_connection_closed_in_the_middle_of_a_packet_is_reported_not_taken_as_a_clean_end()
    {
        var bytes = RconPacket.Create(1, 0, "cut short").Encode();
        var reader = ReaderOver(new MemoryStream(bytes[..^3]));

        await Assert.ThrowsAsync<RconConnectionException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
    }
}
