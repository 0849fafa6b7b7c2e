using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// A script's view of <c>SubscribeLogs</c>: the SignalR JSON protocol over a raw WebSocket (the .NET SignalR client is not
/// on this registry), as in the tests' RawSignalRClient, but byte-based so the client itself is never the bottleneck:
/// messages are split on the record separator without re-copying the pending text. Each batch is handed over with the
/// <see cref="Stopwatch"/> timestamp of the WebSocket read that completed it.
/// </summary>
public sealed class HubLogClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;

    private readonly ClientWebSocket socket;
    private byte[] pending = new byte[1 << 20];
    private int pendingCount;

    private HubLogClient(ClientWebSocket socket) => this.socket = socket;

    /// <summary>Negotiate with the API key as a bearer token, WebSocket with it as <c>access_token</c>, handshake.</summary>
    public static async Task<HubLogClient> ConnectAsync(Uri baseAddress, string apiKey, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var negotiate = await http.PostAsync("/hubs/dashboard/negotiate?negotiateVersion=1", null, cancellationToken);
        negotiate.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync(cancellationToken));
        var token = body.RootElement.GetProperty("connectionToken").GetString()!;

        var socket = new ClientWebSocket();
        var uri = new Uri($"ws://{baseAddress.Authority}/hubs/dashboard?id={Uri.EscapeDataString(token)}&access_token={Uri.EscapeDataString(apiKey)}");
        await socket.ConnectAsync(uri, cancellationToken);
        var client = new HubLogClient(socket);
        await client.SendAsync("{\"protocol\":\"json\",\"version\":1}", cancellationToken);
        await client.ReadMessagesAsync((_, _) => false, cancellationToken); // the handshake answer, "{}"
        return client;
    }

    /// <summary>
    /// Streams <c>SubscribeLogs(serverId, null)</c>, calling <paramref name="onBatch"/> with each batch (a JSON array of
    /// lines) and its receive timestamp, until the token fires or the stream ends.
    /// </summary>
    public async Task FollowLogsAsync(int serverId, Action<long, JsonElement> onBatch, CancellationToken cancellationToken)
    {
        await SendAsync($"{{\"type\":4,\"invocationId\":\"1\",\"target\":\"SubscribeLogs\",\"arguments\":[{serverId},null]}}", cancellationToken);
        // The hub closes a connection that says nothing for 30 s: ping like the real client does.
        using var pinging = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pings = PingAsync(pinging.Token);
        try
        {
            await ReadMessagesAsync(
                (receivedAt, message) =>
                {
                    var type = message.GetProperty("type").GetInt32();
                    if (type == 2)
                    {
                        onBatch(receivedAt, message.GetProperty("item"));
                    }

                    return type is 2 or 6; // 3 (completion) or 7 (close) ends the stream
                },
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await pinging.CancelAsync();
            await pings.ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private async Task PingAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            await SendAsync("{\"type\":6}", cancellationToken);
        }
    }

    /// <summary>Reads messages until <paramref name="handle"/> returns false or the socket closes.</summary>
    private async Task ReadMessagesAsync(Func<long, JsonElement, bool> handle, CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = Array.IndexOf(pending, RecordSeparator, 0, pendingCount);
            while (end < 0)
            {
                if (pending.Length - pendingCount < 64 * 1024)
                {
                    Array.Resize(ref pending, pending.Length * 2);
                }

                var searchFrom = pendingCount;
                var result = await socket.ReceiveAsync(pending.AsMemory(pendingCount), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                pendingCount += result.Count;
                end = Array.IndexOf(pending, RecordSeparator, searchFrom, pendingCount - searchFrom);
            }

            var receivedAt = Stopwatch.GetTimestamp();
            bool more;
            using (var document = JsonDocument.Parse(pending.AsMemory(0, end)))
            {
                more = handle(receivedAt, document.RootElement);
            }

            Buffer.BlockCopy(pending, end + 1, pending, 0, pendingCount - end - 1);
            pendingCount -= end + 1;
            if (!more)
            {
                return;
            }
        }
    }

    private readonly SemaphoreSlim sendLock = new(1, 1);

    private async Task SendAsync(string message, CancellationToken cancellationToken)
    {
        await sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message + (char)RecordSeparator), WebSocketMessageType.Text, true, cancellationToken);
        }
        finally
        {
            sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        socket.Dispose();
        sendLock.Dispose();
    }
}
