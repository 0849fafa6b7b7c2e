namespace ServerDashboard.Hosting;

/// <summary>
/// Serves <c>/_framework/blazor.web.js</c> from the copy embedded at build time (Hosting/BlazorScript.targets),
/// because this registry lacks .NET 10's script package. Built only with UseBundledBlazorScript=true.
/// </summary>
public static class BlazorScriptEndpoint
{
    public const string Path = "/_framework/blazor.web.js";

    public static IEndpointRouteBuilder MapBundledBlazorScript(this IEndpointRouteBuilder endpoints)
    {
#if BUNDLED_BLAZOR_SCRIPT
        var script = ReadScript();
        var etag = $"\"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(script))[..16]}\"";
        endpoints.MapGet(Path, (HttpContext context) =>
        {
            context.Response.Headers.ETag = etag;
            context.Response.Headers.CacheControl = "no-cache";
            if (context.Request.Headers.IfNoneMatch == etag)
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            return Results.Bytes(script, "text/javascript");
        }).AllowAnonymous().ExcludeFromDescription();
#endif
        return endpoints;
    }

#if BUNDLED_BLAZOR_SCRIPT
    private static byte[] ReadScript()
    {
        using var stream = typeof(BlazorScriptEndpoint).Assembly.GetManifestResourceStream("blazor.web.js")
            ?? throw new InvalidOperationException("blazor.web.js is not embedded: rebuild with UseBundledBlazorScript=true.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
#endif
}
