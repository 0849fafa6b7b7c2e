using Microsoft.AspNetCore.Antiforgery;

namespace ServerDashboard.Auth;

/// <summary>
/// Refuses requests another site makes with the user's cookie. SameSite=Strict is not enough: another port on this host
/// (a game's web map, which the game account controls) is the same site. So:
/// <list type="bullet">
/// <item>unsafe <c>/api</c> calls authenticated by the cookie need <c>Sec-Fetch-Site: same-origin</c>, an <c>Origin</c> equal to
/// this origin, or an antiforgery token (header <c>RequestVerificationToken</c>); API keys are not sent by browsers on
/// their own, so key-authenticated calls are unaffected;</item>
/// <item><c>/hubs</c> and <c>/_blazor</c> (negotiate and the WebSocket, which SameSite does not cover for same-site pages)
/// refuse a browser request whose <c>Origin</c> or <c>Sec-Fetch-Site</c> says it came from elsewhere.</item>
/// </list>
/// Runs after authentication, before authorization.
/// </summary>
public sealed class CrossSiteRequestGuard(RequestDelegate next, IAntiforgery antiforgery, ILogger<CrossSiteRequestGuard> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if ((request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/_blazor")) && ComesFromElsewhere(request))
        {
            await RefuseAsync(context, "a connection from another origin");
            return;
        }

        if (request.Path.StartsWithSegments("/api") && !IsSafe(request.Method) && IsCookieAuthenticated(context)
            && !IsSameOrigin(request) && !await antiforgery.IsRequestValidAsync(context))
        {
            await RefuseAsync(context, "a cross-site request with the login cookie (send Sec-Fetch-Site/Origin, an antiforgery token, or use an API key)");
            return;
        }

        await next(context);
    }

    /// <summary>What a browser says about where a request comes from: same origin, or typed/bookmarked ("none").</summary>
    internal static bool IsSameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site == "same-origin";
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && OriginMatches(request, origin);
    }

    /// <summary>True only when a browser says so: scripts send neither header and are judged by their credentials.</summary>
    private static bool ComesFromElsewhere(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return true;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && !OriginMatches(request, origin);
    }

    private static bool OriginMatches(HttpRequest request, string origin) =>
        string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static bool IsCookieAuthenticated(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true } identity && identity.AuthenticationType != ApiKeyAuthenticationHandler.SchemeName;

    private async Task RefuseAsync(HttpContext context, string what)
    {
        logger.LogWarning("Refused {What}: {Method} {Path} (Origin {Origin}, Sec-Fetch-Site {Site})",
            what, Text.LogText.Escape(context.Request.Method, 20), Text.LogText.Escape(context.Request.Path.Value),
            Text.LogText.Escape(context.Request.Headers.Origin.ToString(), 200), Text.LogText.Escape(context.Request.Headers["Sec-Fetch-Site"].ToString(), 50));
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-site request refused", detail: $"Refused {what}.")
            .ExecuteAsync(context);
    }
}
