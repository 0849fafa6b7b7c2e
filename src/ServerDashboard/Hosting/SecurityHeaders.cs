namespace ServerDashboard.Hosting;

/// <summary>
/// Headers every response carries: no framing (clickjacking of the power buttons), no MIME sniffing, no referrer to other
/// sites, and HSTS when the request arrived over HTTPS (directly or, with <c>Dashboard:ReverseProxy</c>, at the proxy).
/// A full script CSP is left out: the component library injects inline styles.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        // Set as the response starts, replacing what later components add (Blazor's CSP frame-ancestors 'self'), so
        // each header has exactly one value.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var headers = http.Response.Headers;
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            if (http.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000";
            }

            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}
