using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ServerDashboard.Tests.Hubs;

/// <summary>
/// Just enough of the SignalR JSON protocol over a WebSocket to call stream methods, without the .NET SignalR client, so
/// the tests prove what docs/hub.md promises to a script in any language: negotiate, connect, handshake, then
/// StreamInvocation (4) → StreamItem (2)… → Completion (3). Pings (6) are ignored; Close (7) ends every stream.
/// </summary>
public sealed class RawSignalRClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';

    private readonly WebSocket socket;
    private readonly Dictionary<string, Channel<JsonElement>> streams = [];
    private readonly Lock streamsLock = new();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private readonly Decoder utf8 = Encoding.UTF8.GetDecoder(); // a character may straddle two frames
    private Task receiveLoop = Task.CompletedTask;
    private int nextInvocationId;

    private RawSignalRClient(WebSocket socket) => this.socket = socket;

    /// <summary>
    /// POSTs <c>{hubUrl}/negotiate?negotiateVersion=1</c> with <paramref name="http"/> (which carries the credentials), then
    /// opens the WebSocket on <c>{hubUrl}?id={connectionToken}</c> through <paramref name="connectWebSocket"/> and handshakes.
    /// Throws <see cref="HttpRequestException"/> (with the status code) when negotiation is refused.
    /// </summary>
    public static async Task<RawSignalRClient> ConnectAsync(
        HttpClient http, string hubUrl, Func<Uri, CancellationToken, Task<WebSocket>> connectWebSocket, CancellationToken cancellationToken)
    {
        var separator = hubUrl.Contains('?') ? '&' : '?';
        var path = hubUrl.Split('?')[0];
        var query = hubUrl.Contains('?') ? hubUrl[(hubUrl.IndexOf('?') + 1)..] + "&" : "";
        using var negotiate = await http.PostAsync($"{path}/negotiate?{query}negotiateVersion=1", null, cancellationToken);
        negotiate.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await negotiate.Content.ReadAsStringAsync(cancellationToken))!;
        var token = (string?)body["connectionToken"] ?? throw new InvalidOperationException("No connectionToken in " + body.ToJsonString());

        var socketUri = new UriBuilder(new Uri(http.BaseAddress!, $"{hubUrl}{separator}id={Uri.EscapeDataString(token)}"));
        socketUri.Scheme = socketUri.Scheme == "https" ? "wss" : "ws";
        var socket = await connectWebSocket(socketUri.Uri, cancellationToken);
        var client = new RawSignalRClient(socket);
        await client.HandshakeAsync(cancellationToken);
        return client;
    }

    /// <summary>Invokes a stream method and yields each item; a Completion with an error throws <see cref="HubErrorException"/>.</summary>
    public async IAsyncEnumerable<JsonElement> StreamAsync(string target, object?[] arguments, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref nextInvocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var items = Channel.CreateUnbounded<JsonElement>();
        lock (streamsLock)
        {
            streams[id] = items;
        }

        await SendAsync(new { type = 4, invocationId = id, target, arguments }, cancellationToken);
        var completed = false;
        try
        {
            await foreach (var item in items.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }

            completed = true;
        }
        finally
        {
            lock (streamsLock)
            {
                streams.Remove(id);
            }

            if (!completed && socket.State == WebSocketState.Open)
            {
                // The consumer stopped early: tell the hub, which cancels the method's token.
                await SendAsync(new { type = 5, invocationId = id }, CancellationToken.None);
            }
        }
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        await SendAsync(new { protocol = "json", version = 1 }, cancellationToken);
        var buffer = new StringBuilder();
        var response = await ReadMessageAsync(buffer, cancellationToken) ?? throw new InvalidOperationException("Closed during the handshake");
        if (JsonNode.Parse(response)?["error"] is { } error)
        {
            throw new InvalidOperationException("Handshake refused: " + error);
        }

        receiveLoop = Task.Run(() => ReceiveLoopAsync(buffer, stopping.Token));
    }

    private async Task ReceiveLoopAsync(StringBuilder buffer, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            while (await ReadMessageAsync(buffer, cancellationToken) is { } message)
            {
                using var document = JsonDocument.Parse(message);
                var root = document.RootElement;
                var type = root.GetProperty("type").GetInt32();
                if (type == 7)
                {
                    failure = new HubErrorException("Connection closed by the server: " + message);
                    break;
                }

                if (type is not (2 or 3))
                {
                    continue;
                }

                Channel<JsonElement>? stream;
                lock (streamsLock)
                {
                    streams.TryGetValue(root.GetProperty("invocationId").GetString()!, out stream);
                }

                if (type == 2)
                {
                    stream?.Writer.TryWrite(root.GetProperty("item").Clone());
                }
                else
                {
                    stream?.Writer.TryComplete(root.TryGetProperty("error", out var error) ? new HubErrorException(error.GetString()!) : null);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            failure = ex;
        }
        finally
        {
            lock (streamsLock)
            {
                foreach (var stream in streams.Values)
                {
                    stream.Writer.TryComplete(failure ?? new HubErrorException("Connection closed"));
                }
            }
        }
    }

    /// <summary>Reads one record-separated message (several may arrive in one frame: the rest stays in <paramref name="pending"/>).</summary>
    private async Task<string?> ReadMessageAsync(StringBuilder pending, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        while (true)
        {
            var text = pending.ToString();
            var end = text.IndexOf(RecordSeparator);
            if (end >= 0)
            {
                pending.Remove(0, end + 1);
                return text[..end];
            }

            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            var chars = new char[utf8.GetCharCount(buffer, 0, result.Count)];
            utf8.GetChars(buffer, 0, result.Count, chars, 0);
            pending.Append(chars);
        }
    }

    private async Task SendAsync(object message, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message) + RecordSeparator);
        await sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        await receiveLoop.ContinueWith(_ => { }, TaskScheduler.Default);
        socket.Dispose();
        stopping.Dispose();
        sendLock.Dispose();
    }
}

/// <summary>The hub completed an invocation with an error (the message the server sent).</summary>
public sealed class HubErrorException(string message) : Exception(message);
