using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerDashboard.Notifications;

namespace ServerDashboard.Tests.Notifications;

/// <summary>One request as the receiver got it.</summary>
public sealed record ReceivedRequest(string Event, string DeliveryId, string? Signature, string ContentType, byte[] Body, int AnsweredWith)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A real HTTP receiver on 127.0.0.1 (Kestrel on a port from <see cref="ServerDashboard.Testing.FreePort"/>): records
/// every request and answers what <see cref="Answer"/> says (200 unless told otherwise).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;

    private WebhookReceiver(WebApplication app, int port)
    {
        this.app = app;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>The status code for a request (called in arrival order, one at a time).</summary>
    public Func<ReceivedRequest, int> Answer { get; set; } = _ => 200;

    public IReadOnlyList<ReceivedRequest> Delivered => Requests.Where(r => r.AnsweredWith is >= 200 and < 300).ToList();

    public static async Task<WebhookReceiver> StartAsync(int? port = null)
    {
        int listen = port ?? ServerDashboard.Testing.FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{listen}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, listen);
        var gate = new SemaphoreSlim(1, 1);
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            await gate.WaitAsync();
            try
            {
                var probe = new ReceivedRequest(http.Request.Headers[WebhookSender.EventHeader].ToString(), http.Request.Headers[WebhookSender.DeliveryHeader].ToString(),
                    http.Request.Headers.TryGetValue(WebhookSender.SignatureHeader, out var signature) ? signature.ToString() : null,
                    http.Request.ContentType ?? "", buffer.ToArray(), 0);
                var answered = probe with { AnsweredWith = receiver.Answer(probe) };
                receiver.Requests.Enqueue(answered);
                return Results.StatusCode(answered.AnsweredWith);
            }
            finally
            {
                gate.Release();
            }
        });
        await app.StartAsync();
        return receiver;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
