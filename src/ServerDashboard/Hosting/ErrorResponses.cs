using System.Diagnostics;
using System.Net;
using System.Net.Mime;
using System.Text.Json;

namespace ServerDashboard.Hosting;

/// <summary>
/// What a caller sees when a request goes wrong: a 400 validation problem keyed by the field for a body the JSON reader
/// refuses, and outside Development a plain 500 (problem details under /api, a short page elsewhere) that names no
/// internals. The developer exception page exists only in the Development environment (a launch profile, see README).
/// </summary>
public static class ErrorResponses
{
    public static IServiceCollection AddErrorResponses(this IServiceCollection services) =>
        // Minimal APIs answer a body they cannot read with a bare 400 outside Development; throwing instead lets
        // BadRequestProblems name the field (`"port": "abc"` → errors.port), the same in every environment.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

    /// <summary>Outermost: catches what nothing else handled.</summary>
    public static WebApplication UseUnexpectedErrorResponses(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            // The exception itself is logged by the middleware; the response says only that it happened.
            app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteUnexpectedErrorAsync });
        }

        return app;
    }

    /// <summary>Inside request logging, so a refused body is logged as the 400 it becomes, not as a failure.</summary>
    public static WebApplication UseBadRequestProblems(this WebApplication app)
    {
        app.UseMiddleware<BadRequestProblems>();
        return app;
    }

    private static async Task WriteUnexpectedErrorAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        // The trace id ties the answer to the logged exception without sending any of its text.
        var traceId = Activity.Current?.Id ?? context.TraceIdentifier;
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "An unexpected error occurred.",
                detail: $"The error was logged by the dashboard with trace id {traceId}.",
                extensions: new Dictionary<string, object?> { ["traceId"] = traceId }).ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = MediaTypeNames.Text.Html;
        await context.Response.WriteAsync($$"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error - ServerDashboard</title></head>
            <body><h1>Something went wrong</h1><p>The error was logged by the dashboard with trace id <code>{{WebUtility.HtmlEncode(traceId)}}</code>.
            <a href="/">Back to the dashboard</a></p></body></html>
            """);
    }
}

/// <summary>Turns a request the framework could not bind (<see cref="BadHttpRequestException"/>) into a 400 answer.</summary>
public sealed class BadRequestProblems(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = ex.StatusCode;
            if (context.Request.Path.StartsWithSegments("/api") && ex.StatusCode == StatusCodes.Status400BadRequest)
            {
                var (field, message) = Describe(ex);
                await TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
                    title: "The request body is not valid.").ExecuteAsync(context);
            }
        }
    }

    /// <summary>The field in the JSON path's terms (<c>$.rcon.port</c> → <c>rcon.port</c>), like the validator's keys.</summary>
    internal static (string Field, string Message) Describe(BadHttpRequestException ex)
    {
        if (ex.InnerException is not JsonException json)
        {
            return ("body", "The request body could not be read as JSON.");
        }

        var field = (json.Path ?? "$").TrimStart('$').TrimStart('.');
        var bracket = field.IndexOf('[');
        field = bracket >= 0 ? field[..bracket] : field;
        if (json.Message == Text.NulFreeStringConverter.Message)
        {
            return (field.Length == 0 ? "body" : field, $"'{field}' must not contain NUL characters (\\u0000).");
        }

        // Only "could not be converted" is about one field; anything else (truncated, not JSON) is about the document.
        if (field.Length == 0 || !json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return ("body", $"The request body is not valid JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}).");
        }

        // The reader's message names CLR types ("System.Nullable`1[System.Int32]"): say it in the API's terms instead.
        var expected = json.Message.Contains("System.Int32", StringComparison.Ordinal) || json.Message.Contains("System.Int64", StringComparison.Ordinal)
            ? "a whole number"
            : json.Message.Contains("System.Boolean", StringComparison.Ordinal) ? "true or false"
            : json.Message.Contains("System.String", StringComparison.Ordinal) ? "a string"
            : "a value of the documented type";
        return (field, $"'{field}' must be {expected}.");
    }
}
