using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Diagnostics;

namespace ServerDashboard.Hosting;

/// <summary>
/// <c>/error</c>, where the exception handler re-executes a request that threw: API callers get a problem-details 500
/// with the trace id (the exception itself is logged under it, never sent), browsers a plain page. Never an empty body.
/// </summary>
public static class ErrorEndpoint
{
    public const string Path = "/error";

    public static IEndpointConventionBuilder MapErrorEndpoint(this IEndpointRouteBuilder endpoints) =>
        endpoints.Map(Path, Handle).AllowAnonymous().ExcludeFromDescription();

    private static IResult Handle(HttpContext context)
    {
        var failed = context.Features.Get<IExceptionHandlerPathFeature>();
        var status = failed is null ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError;
        var traceId = Activity.Current?.Id ?? context.TraceIdentifier;
        var originalPath = failed?.Path ?? context.Request.Path.Value ?? "";
        if (originalPath.StartsWith("/api", StringComparison.OrdinalIgnoreCase) || WantsJson(context.Request))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                title: "An unexpected error occurred.",
                detail: $"The dashboard logged the error with trace id {traceId}.",
                extensions: new Dictionary<string, object?> { ["traceId"] = traceId });
        }

        var html = $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Error - ServerDashboard</title></head>
            <body style="font-family: sans-serif; margin: 3rem">
            <h1>{(failed is null ? "No error to show" : "Something went wrong")}</h1>
            <p>{(failed is null ? "This page shows errors when they happen." : "The dashboard could not complete the request. The error was logged.")}</p>
            <p>Trace id: <code>{WebUtility.HtmlEncode(traceId)}</code></p>
            <p><a href="/">Back to the dashboard</a></p>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    private static bool WantsJson(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && (a.Contains("application/json", StringComparison.OrdinalIgnoreCase) || a.Contains("problem+json", StringComparison.OrdinalIgnoreCase))
            && !a.Contains("text/html", StringComparison.OrdinalIgnoreCase));
}
