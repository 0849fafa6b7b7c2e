using System.Buffers.Binary;
using System.Diagnostics;
using ServerDashboard.Rcon;
using ServerDashboard.Tests.Rcon;
using Xunit.Abstractions;

namespace ServerDashboard.Tests.Torture;

/// <summary>
/// Our RCON client against a server that misbehaves on purpose. Each fault has one acceptable outcome (a reply or a
/// named exception); anything else, or no answer within twice the command timeout, is a violation.
/// </summary>
[Trait("Category", "Torture")]
public sealed class RconFaultTests(ITestOutputHelper output)
{
    private static readonly RconOptions Options = new()
    {
        CommandTimeout = TimeSpan.FromSeconds(1),
        FragmentIdleTimeout = TimeSpan.FromMilliseconds(100),
        MaxReplyBytes = 256 * 1024,
        AuthFollowUpTimeout = TimeSpan.FromMilliseconds(200),
    };

    private sealed record Fault(string Name, Func<RconPacket, Stream, CancellationToken, Task> OnCommand, Type? Expected, string? Reply = null,
        Func<RconPacket, Stream, CancellationToken, Task>? OnAuth = null);

    private static IEnumerable<Fault> Faults()
    {
        static Task Reply(RconPacket c, Stream s, string text, CancellationToken ct) => ScriptedRconServer.ReplyAsync(c, s, text, ct);
        static byte[] Bytes(RconPacket c, string text) => RconPacket.Create(c.Id, RconPacketType.ResponseValue, text).Encode();
        static byte[] Size(int size) { var b = new byte[12]; BinaryPrimitives.WriteInt32LittleEndian(b, size); return b; }

        yield return new("plain reply", (c, s, ct) => Reply(c, s, "ok", ct), null, "ok");
        yield return new("close mid-reply", async (c, s, ct) => { var b = Bytes(c, "partial reply"); await s.WriteAsync(b.AsMemory(0, b.Length / 2), ct); s.Close(); }, typeof(RconConnectionException));
        yield return new("close before reply", (c, s, ct) => { s.Close(); return Task.CompletedTask; }, typeof(RconConnectionException));
        yield return new("stall", (c, s, ct) => Task.CompletedTask, typeof(RconTimeoutException));
        yield return new("size too small", (c, s, ct) => s.WriteAsync(Size(3), ct).AsTask(), typeof(RconProtocolException));
        yield return new("size negative", (c, s, ct) => s.WriteAsync(Size(-1), ct).AsTask(), typeof(RconProtocolException));
        yield return new("size 2 GB", (c, s, ct) => s.WriteAsync(Size(int.MaxValue), ct).AsTask(), typeof(RconProtocolException));
        yield return new("size larger than sent", async (c, s, ct) => { var b = Bytes(c, "short"); BinaryPrimitives.WriteInt32LittleEndian(b, 5000); await s.WriteAsync(b, ct); }, typeof(RconTimeoutException));
        yield return new("garbage", (c, s, ct) => s.WriteAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray(), ct).AsTask(), typeof(RconProtocolException));
        yield return new("byte-split reply", async (c, s, ct) => { foreach (var b in Bytes(c, "split one byte at a time")) { await s.WriteAsync(new[] { b }, ct); await s.FlushAsync(ct); } }, null, "split one byte at a time");
        yield return new("coalesced: stale id then reply", (c, s, ct) => s.WriteAsync((byte[])[.. RconPacket.Create(c.Id + 1000, 0, "stale").Encode(), .. Bytes(c, "mine")], ct).AsTask(), null, "mine");
        yield return new("coalesced: reply plus trailing packet", (c, s, ct) => s.WriteAsync((byte[])[.. Bytes(c, "first"), .. RconPacket.Create(c.Id + 7, 0, "trailer").Encode()], ct).AsTask(), null, "first");
        yield return new("fragmented reply", async (c, s, ct) => { await Reply(c, s, new string('f', RconPacket.ServerFragmentLength), ct); await Reply(c, s, "tail", ct); }, null, new string('f', RconPacket.ServerFragmentLength) + "tail");
        yield return new("huge reply", async (c, s, ct) => { for (var i = 0; i < 200; i++) { await Reply(c, s, new string('h', RconPacket.ServerFragmentLength), ct); } }, typeof(RconReplyTooLargeException));
        yield return new("reply id -1", (c, s, ct) => s.WriteAsync(RconPacket.Create(-1, 0, "").Encode(), ct).AsTask(), typeof(RconProtocolException));
        yield return new("invalid UTF-8", (c, s, ct) => s.WriteAsync(new RconPacket(c.Id, 0, [0xff, 0xfe, 0xc3]).Encode(), ct).AsTask(), null, "\ufffd\ufffd\ufffd");
        foreach (var type in new[] { 0, 1, 5, 99, -7 })
        {
            yield return new($"auth answered with type {type}", (c, s, ct) => Reply(c, s, "ok", ct), null, "ok",
                (a, s, ct) => s.WriteAsync(new RconPacket(a.Id, type, []).Encode(), ct).AsTask());
        }

        yield return new("auth refused (id -1)", (c, s, ct) => Reply(c, s, "ok", ct), typeof(RconAuthenticationException), null,
            (a, s, ct) => s.WriteAsync(new RconPacket(-1, RconPacketType.AuthResponse, []).Encode(), ct).AsTask());
        yield return new("auth stalls", (c, s, ct) => Reply(c, s, "ok", ct), typeof(RconTimeoutException), null, (a, s, ct) => Task.CompletedTask);
        yield return new("auth: source-style empty value first", (c, s, ct) => Reply(c, s, "ok", ct), typeof(RconTimeoutException), null,
            (a, s, ct) => s.WriteAsync((byte[])[.. new RconPacket(a.Id, 0, []).Encode(), .. new RconPacket(a.Id, RconPacketType.AuthResponse, []).Encode()], ct).AsTask());
    }

    [Fact]
    public async Task Every_fault_ends_in_its_expected_outcome_without_a_hang()
    {
        var rounds = TortureMode.Pick(1, 5);
        var runs = 0;
        var violations = new List<string>();
        var hangs = 0;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var fault in Faults())
            {
                runs++;
                var (outcome, elapsed) = await RunAsync(fault);
                if (elapsed > 2 * (Options.CommandTimeout + Options.ConnectTimeout))
                {
                    hangs++;
                }

                var ok = fault.Expected is null ? outcome == "reply:" + fault.Reply : outcome == fault.Expected.Name;
                if (!ok)
                {
                    violations.Add($"{fault.Name}: expected {(fault.Expected?.Name ?? "reply " + fault.Reply?[..Math.Min(20, fault.Reply.Length)])}, got {outcome[..Math.Min(120, outcome.Length)]}");
                }

                if (round == 0)
                {
                    output.WriteLine($"  {fault.Name}: {outcome[..Math.Min(60, outcome.Length)]} in {elapsed.TotalMilliseconds:0} ms");
                }
            }
        }

        output.WriteLine($"rcon faults ({TortureMode.Name}): {runs} runs of {Faults().Count()} fault modes; violations={violations.Count}; hangs={hangs}");
        violations.ForEach(output.WriteLine);
        Assert.Empty(violations);
        Assert.Equal(0, hangs);
    }

    private static async Task<(string Outcome, TimeSpan Elapsed)> RunAsync(Fault fault)
    {
        await using var server = new ScriptedRconServer(fault.OnCommand, fault.OnAuth);
        await using var client = new RconClient(Options);
        var clock = Stopwatch.StartNew();
        try
        {
            await client.ConnectAsync("127.0.0.1", server.Port, "pw", CancellationToken.None);
            var reply = await client.ExecuteAsync("cmd", CancellationToken.None);
            return ("reply:" + reply.Text, clock.Elapsed);
        }
        catch (Exception e)
        {
            return (e.GetType().Name, clock.Elapsed);
        }
    }
}
