using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;

namespace ServerDashboard.Rcon;

/// <summary>The text a command returned and how long the round trip took (queueing included).</summary>
public sealed record RconResponse(string Text, TimeSpan Duration);

/// <summary>
/// One authenticated Source/Minecraft RCON connection. Commands are serialized (one in flight); a timeout, a
/// cancellation or a protocol error mid-command closes the connection, because the stream can no longer be trusted
/// (see docs/rcon.md). Replies made of several packets are reassembled: by the empty-packet trick on servers that
/// mirror an empty RESPONSE_VALUE (detected during auth), by fragment length plus a short idle wait otherwise.
/// </summary>
public sealed class RconClient : IAsyncDisposable, IDisposable
{
    /// <summary>Minecraft drops a command packet with a longer body (its read buffer is 1460 bytes).</summary>
    public const int MaxCommandBytes = 1446;

    /// <summary>
    /// A fragment at least this long may be followed by another. Servers split replies at 4096 bytes, and one that
    /// avoids cutting a UTF-8 character in two (ours does) ends a fragment up to 3 bytes early.
    /// </summary>
    internal const int FullFragmentThreshold = RconPacket.ServerFragmentLength - 3;

    private readonly RconOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly CancellationTokenSource lifetime = new();
    private readonly Channel<RconPacket> incoming = Channel.CreateBounded<RconPacket>(
        // Bounded: a server that floods us stops being read (TCP back-pressure) instead of growing our memory.
        new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private Stream? stream;
    private Task pump = Task.CompletedTask;
    private volatile Exception? closedBecause;
    private volatile bool closed;
    private int nextId;

    public RconClient(RconOptions? options = null, TimeProvider? time = null, ILogger<RconClient>? logger = null, RconLatency? latency = null)
    {
        this.options = options ?? new RconOptions();
        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
        Latency = latency ?? new RconLatency(this.options.LatencySamples);
    }

    /// <summary><c>host:port</c>, for messages.</summary>
    public string Endpoint { get; private set; } = "(not connected)";

    /// <summary>True once authenticated and until the connection is closed by either side.</summary>
    public bool IsConnected => stream is not null && !closed;

    /// <summary>
    /// The server answered auth with an empty RESPONSE_VALUE first (srcds does): it mirrors an empty RESPONSE_VALUE, so
    /// a reply's end is marked by sending one after the command.
    /// </summary>
    public bool MirrorsEmptyPacket { get; private set; }

    public RconLatency Latency { get; }

    /// <summary>Packets read off the socket and not yet handed to a command (tests use it to stall the read loop).</summary>
    internal int BufferedPacketCount => incoming.Reader.Count;

    /// <summary>Connects (within <see cref="RconOptions.ConnectTimeout"/>) and authenticates.</summary>
    /// <exception cref="RconAuthenticationException">Wrong password.</exception>
    /// <exception cref="RconConnectionException">Refused, reset or closed (the inner exception has the socket error).</exception>
    /// <exception cref="RconTimeoutException">No TCP connection or no auth answer in time.</exception>
    public async Task ConnectAsync(string host, int port, string password, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(lifetime.IsCancellationRequested, this);
        if (stream is not null)
        {
            throw new InvalidOperationException("An RconClient is one connection; create a new one to reconnect.");
        }

        var endpoint = string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
        Endpoint = endpoint;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(host, port, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new RconTimeoutException($"connecting to RCON at {endpoint} timed out after {Seconds(options.ConnectTimeout)}");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RconConnectionException($"could not connect to RCON at {endpoint}: {e.SocketErrorCode}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        await AuthenticateAsync(new NetworkStream(socket, ownsSocket: true), endpoint, password, cancellationToken);
    }

    /// <summary>Authenticates over an already open duplex stream (a socket, or an in-memory pipe in tests).</summary>
    internal async Task AuthenticateAsync(Stream connection, string endpoint, string password, CancellationToken cancellationToken)
    {
        stream = connection;
        Endpoint = endpoint;
        var reader = new RconPacketReader(connection, endpoint);
        pump = Task.Run(() => PumpAsync(reader, lifetime.Token), CancellationToken.None);

        using var deadline = new CancellationTokenSource(options.CommandTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var id = NextId();
            await WriteAsync([RconPacket.Create(id, RconPacketType.Auth, password)], linked.Token);
            var sawEmptyValue = false;
            while (true)
            {
                var packet = await ReceiveAsync(linked.Token, sawEmptyValue ? options.AuthFollowUpTimeout : null, commandSent: false);
                if (packet is null)
                {
                    // Only the empty RESPONSE_VALUE came: some servers answer auth that way. Nothing shows it mirrors.
                    MirrorsEmptyPacket = false;
                    break;
                }

                if (packet.Id == -1)
                {
                    throw new RconAuthenticationException($"wrong RCON password for {endpoint}");
                }

                if (packet.Id != id)
                {
                    continue; // not an answer to our auth: ignore, as srcds clients do
                }

                if (packet.Type == RconPacketType.ResponseValue && packet.Body.Length == 0 && !sawEmptyValue)
                {
                    sawEmptyValue = true; // srcds: an empty RESPONSE_VALUE precedes the AUTH_RESPONSE
                    continue;
                }

                // AUTH_RESPONSE, or a non-standard type with the right id (tolerated, as rcon-client does).
                MirrorsEmptyPacket = sawEmptyValue && packet.Type == RconPacketType.AuthResponse;
                break;
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Close();
            throw new RconTimeoutException($"RCON at {endpoint} did not answer the authentication within {Seconds(options.CommandTimeout)}");
        }
        catch
        {
            Close();
            throw;
        }

        logger.LogDebug("RCON connected to {Endpoint} ({Style})", endpoint, MirrorsEmptyPacket ? "mirrors empty packets" : "fragment-length framing");
    }

    public Task<RconResponse> ExecuteAsync(string command, CancellationToken cancellationToken) =>
        ExecuteAsync(command, timeout: null, cancellationToken);

    /// <summary>Runs one command and returns its whole reply.</summary>
    /// <param name="timeout">Overrides <see cref="RconOptions.CommandTimeout"/>; covers waiting for an earlier command too.</param>
    /// <exception cref="ArgumentException">The command is longer than <see cref="MaxCommandBytes"/> in UTF-8.</exception>
    /// <exception cref="RconTimeoutException">No complete reply in time; the connection is closed.</exception>
    /// <exception cref="RconConnectionException">The connection is (or got) closed; see <see cref="RconConnectionException.CommandSent"/>.</exception>
    public async Task<RconResponse> ExecuteAsync(string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var length = Encoding.UTF8.GetByteCount(command);
        if (length > MaxCommandBytes)
        {
            // The command itself stays out of the message: it may carry a secret.
            throw new ArgumentException($"The RCON command is {length} bytes in UTF-8; the limit is {MaxCommandBytes} (servers drop longer packets).", nameof(command));
        }

        var limit = timeout ?? options.CommandTimeout;
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(limit, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await gate.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new RconTimeoutException($"RCON command to {Endpoint} timed out after {Seconds(limit)} waiting for the previous command");
        }

        try
        {
            if (!IsConnected)
            {
                throw new RconConnectionException($"the RCON connection to {Endpoint} is closed", closedBecause);
            }

            if (PeerHasClosed())
            {
                // Not sent: the caller may safely reconnect and try again (the catch below drops this connection).
                throw new RconConnectionException($"RCON at {Endpoint} had closed the connection before the command was sent");
            }

            var body = await ExchangeAsync(command, linked.Token);
            var duration = time.GetElapsedTime(started);
            Latency.Record(duration);
            return new RconResponse(Encoding.UTF8.GetString(body.WrittenSpan), duration);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Close();
            logger.LogWarning("RCON command to {Endpoint} timed out after {Timeout}; dropping the connection", Endpoint, limit);
            throw new RconTimeoutException($"RCON command to {Endpoint} got no complete reply within {Seconds(limit)}");
        }
        catch
        {
            // Mid-exchange the stream position is unknown (cancelled, failed write, bad packet): never reuse it.
            Close();
            throw;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<ArrayBufferWriter<byte>> ExchangeAsync(string command, CancellationToken cancellationToken)
    {
        var id = NextId();
        if (MirrorsEmptyPacket)
        {
            // Valve's trick: the server answers in order, so the mirror of this empty RESPONSE_VALUE follows the last
            // fragment of the command's reply. Sent in the same write: fewer syscalls, same meaning.
            var sentinelId = NextId();
            await WriteAsync([RconPacket.Create(id, RconPacketType.ExecCommand, command), new RconPacket(sentinelId, RconPacketType.ResponseValue, [])], cancellationToken);
            return await ReadUntilSentinelAsync(id, sentinelId, cancellationToken);
        }

        await WriteAsync([RconPacket.Create(id, RconPacketType.ExecCommand, command)], cancellationToken);
        return await ReadFragmentsAsync(id, cancellationToken);
    }

    private async Task<ArrayBufferWriter<byte>> ReadUntilSentinelAsync(int id, int sentinelId, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>();
        while (true)
        {
            var packet = (await ReceiveAsync(cancellationToken, idle: null, commandSent: true))!;
            if (packet.Id == sentinelId)
            {
                return body;
            }

            Append(body, packet, id);
        }
    }

    /// <summary>
    /// Servers that ignore an empty RESPONSE_VALUE (Minecraft): a fragment shorter than a full one is the last; after
    /// a full one, the reply is over when no further fragment comes within <see cref="RconOptions.FragmentIdleTimeout"/>.
    /// </summary>
    private async Task<ArrayBufferWriter<byte>> ReadFragmentsAsync(int id, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>();
        var lastWasFull = false;
        while (true)
        {
            var packet = await ReceiveAsync(cancellationToken, lastWasFull ? options.FragmentIdleTimeout : null, commandSent: true);
            if (packet is null)
            {
                return body;
            }

            if (Append(body, packet, id))
            {
                lastWasFull = packet.Body.Length >= FullFragmentThreshold;
                if (!lastWasFull)
                {
                    return body;
                }
            }
        }
    }

    /// <summary>Adds a fragment of the command's reply; false for a leftover of an earlier exchange (skipped).</summary>
    private bool Append(ArrayBufferWriter<byte> body, RconPacket packet, int id)
    {
        if (packet.Id == -1)
        {
            throw new RconProtocolException($"RCON at {Endpoint} answered a command with id -1 (not authenticated)");
        }

        if (packet.Id != id)
        {
            // e.g. srcds's extra packet after the mirrored one, or the tail of a reply whose wait was abandoned.
            return false;
        }

        if (body.WrittenCount + packet.Body.Length > options.MaxReplyBytes)
        {
            // ExecuteAsync closes the connection on any failure mid-exchange: the rest of this reply is never read.
            throw new RconReplyTooLargeException(
                $"the reply from RCON at {Endpoint} is larger than {options.MaxReplyBytes} bytes (Rcon:MaxReplyBytes); the command failed and the connection was reset");
        }

        body.Write(packet.Body);
        return true;
    }

    /// <summary>The next packet; null when <paramref name="idle"/> passed without one.</summary>
    private async Task<RconPacket?> ReceiveAsync(CancellationToken cancellationToken, TimeSpan? idle, bool commandSent)
    {
        using var idleTimer = idle is { } wait ? new CancellationTokenSource(wait, time) : null;
        using var linked = idleTimer is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idleTimer.Token);
        try
        {
            var token = linked?.Token ?? cancellationToken;
            while (await incoming.Reader.WaitToReadAsync(token))
            {
                if (incoming.Reader.TryRead(out var packet))
                {
                    return packet;
                }
            }
        }
        catch (OperationCanceledException) when (idleTimer?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        // Every packet that arrived before the close has been handed out: now report why it closed.
        throw closedBecause switch
        {
            RconProtocolException protocol => new RconProtocolException(protocol.Message),
            { } reason => new RconConnectionException(reason.Message, reason, commandSent),
            null => new RconConnectionException($"the RCON connection to {Endpoint} is closed", null, commandSent),
        };
    }

    private async Task WriteAsync(IReadOnlyList<RconPacket> packets, CancellationToken cancellationToken)
    {
        var buffer = new byte[packets.Sum(p => p.EncodedLength)];
        var offset = 0;
        foreach (var packet in packets)
        {
            packet.EncodeInto(buffer.AsSpan(offset));
            offset += packet.EncodedLength;
        }

        try
        {
            await stream!.WriteAsync(buffer, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            throw new RconConnectionException($"could not send to RCON at {Endpoint}: {e.Message}", e);
        }
    }

    /// <summary>The only reader of the stream: frames packets into <see cref="incoming"/> until the connection ends.</summary>
    private async Task PumpAsync(RconPacketReader reader, CancellationToken cancellationToken)
    {
        Exception reason;
        try
        {
            while (await reader.ReadAsync(cancellationToken) is { } packet)
            {
                await incoming.Writer.WriteAsync(packet, cancellationToken);
            }

            reason = new RconConnectionException($"RCON at {Endpoint} closed the connection");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = new RconConnectionException($"the RCON connection to {Endpoint} was closed by the dashboard");
        }
        catch (RconException e)
        {
            reason = e;
        }
        catch (Exception e)
        {
            reason = new RconConnectionException($"the RCON connection to {Endpoint} was lost: {e.Message}", e);
        }

        if (reason is RconProtocolException)
        {
            logger.LogWarning("RCON at {Endpoint}: {Error}; dropping the connection", Endpoint, Text.LogText.Escape(reason.Message));
        }

        closedBecause ??= reason;
        closed = true;
        incoming.Writer.TryComplete();
    }

    /// <summary>
    /// True when the server's end is already gone (its FIN or RST is waiting in our socket) though the read loop has not
    /// seen it yet: on a loaded machine that loop can run late, and a command written into a dead connection fails
    /// after it was sent, which callers must not retry. poll(2) reports a socket readable at end-of-stream too, so
    /// readable with no bytes buffered means closed. If a packet arrives and the read loop takes it between the two
    /// calls, this says closed wrongly: the cost is one reconnect, never a lost or doubled command.
    /// </summary>
    private bool PeerHasClosed()
    {
        if (stream is not NetworkStream network)
        {
            return false; // an in-memory duplex stream (tests): the read loop is the only judge
        }

        try
        {
            return network.Socket.Poll(0, SelectMode.SelectRead) && network.Socket.Available == 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    private int NextId()
    {
        // Positive ids only: -1 means "auth failed", and wrapping past int.MaxValue must never produce it.
        var id = ++nextId;
        if (id <= 0)
        {
            nextId = id = 1;
        }

        return id;
    }

    private void Close()
    {
        closed = true;
        if (!lifetime.IsCancellationRequested)
        {
            lifetime.Cancel();
        }

        stream?.Dispose(); // unblocks a pending socket read at once
    }

    /// <summary>Closes the connection without waiting for the read loop to finish (it ends on its own).</summary>
    public void Dispose() => Close();

    public async ValueTask DisposeAsync()
    {
        Close();
        try
        {
            await pump;
        }
        catch (Exception e)
        {
            logger.LogDebug("RCON pump for {Endpoint} ended with {Error}", Endpoint, e.Message);
        }

        lifetime.Dispose();
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
