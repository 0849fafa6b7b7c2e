using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ServerDashboard.Auth;

/// <summary>
/// Authenticates scripts by the <c>X-Api-Key</c> header, or on <c>/metrics</c> and hub requests by an <c>Authorization: Bearer</c> header (the
/// SignalR client's negotiate and long polling) or, on the WebSocket and SSE requests only, the <c>access_token</c> query
/// parameter (browsers cannot send headers there).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string QueryName = "access_token";
    public const string KeyNameClaim = "api_key_name";
    private const string BearerPrefix = "Bearer ";

    public static string? FindKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && !string.IsNullOrEmpty(header))
        {
            return header.ToString();
        }

        // Prometheus (2.x) sends credentials only as "Authorization: Bearer" (scrape config `authorization:`).
        if (request.Path.StartsWithSegments("/metrics"))
        {
            return BearerToken(request);
        }

        if (!request.Path.StartsWithSegments("/hubs"))
        {
            return null;
        }

        // Only where a header cannot be sent: the WebSocket upgrade and EventSource (SSE). Anywhere else a key in the URL
        // would end up in proxy logs and browser history for nothing.
        if (IsWebSocketOrEventStream(request) && request.Query.TryGetValue(QueryName, out var query) && !string.IsNullOrEmpty(query))
        {
            return query.ToString();
        }

        // @microsoft/signalr's accessTokenFactory sends the key as a bearer token on its HTTP requests (negotiate, long
        // polling) and as access_token only on the WebSocket: both must authenticate the same script.
        return BearerToken(request);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) && authorization.Length > BearerPrefix.Length
            ? authorization[BearerPrefix.Length..].Trim()
            : null;
    }

    private static bool IsWebSocketOrEventStream(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) && request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
        || HttpMethods.IsConnect(request.Method) // HTTP/2 WebSockets (extended CONNECT)
        || (HttpMethods.IsGet(request.Method) && request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = FindKey(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        var entity = await keys.ValidateAsync(key, Context.RequestAborted);
        if (entity is null)
        {
            return AuthenticateResult.Fail("Invalid API key.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, $"apikey:{entity.Id}"),
                new Claim(ClaimTypes.Name, $"apikey:{entity.Name}"),
                new Claim(KeyNameClaim, entity.Name),
                new Claim(ClaimTypes.Role, entity.Role),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return Task.CompletedTask;
    }
}
