using System.Diagnostics;

namespace ServerDashboard.Hosting;

/// <summary>One line per API request: method, path (no query string: it may hold an access token), status, duration.</summary>
public sealed class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            logger.LogInformation(
                "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms",
                // The path is decoded: %0A would otherwise start a forged log line.
                Text.LogText.Escape(context.Request.Method, 20),
                Text.LogText.Escape(context.Request.Path.Value),
                context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
