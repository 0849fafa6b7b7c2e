using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using ServerDashboard.Api;
using ServerDashboard.Auth;
using ServerDashboard.Components;
using ServerDashboard.Hubs;
using ServerDashboard.Metrics;

namespace ServerDashboard.Hosting;

public static class DashboardPipeline
{
    /// <summary>The repository's top-level wwwroot/, copied beside the binaries at build and publish.</summary>
    public static string ResolveWebRoot(DashboardOptions options) =>
        Path.GetFullPath(options.WebRoot ?? Path.Combine(AppContext.BaseDirectory, "wwwroot"));

    public static WebApplication UseDashboard(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        // First: everything after sees the client's address and scheme (only from configured proxies).
        if (ForwardedHeadersSetup.CreateOptions(options.ReverseProxy) is { } forwarded)
        {
            app.UseForwardedHeaders(forwarded);
        }

        app.UseMiddleware<SecurityHeaders>();
        app.UseUnexpectedErrorResponses();
        app.UseStatusCodePages(async context =>
        {
            // API callers get problem details for bare status codes (401, 403, 404, 405).
            if (context.HttpContext.Request.Path.StartsWithSegments("/api"))
            {
                await Results.Problem(statusCode: context.HttpContext.Response.StatusCode).ExecuteAsync(context.HttpContext);
            }
        });
        app.UseDashboardRequestLogging();
        app.UseBadRequestProblems();

        var webRoot = ResolveWebRoot(options);
        if (Directory.Exists(webRoot))
        {
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(webRoot) });
        }
        else
        {
            app.Logger.LogWarning("Web root {WebRoot} does not exist: static assets will be missing", webRoot);
        }

        // Routing after the web root's files: the static file middleware steps aside once an endpoint is selected, and
        // MapStaticAssets' build-manifest handler has a catch-all for files it does not know (ours are not in its manifest).
        app.UseRouting();
        app.UseAuthentication();
        app.UseMiddleware<CrossSiteRequestGuard>();
        app.UseDashboardRateLimiting(); // after authentication: the budget is per user or API key
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(Policies.View);
        app.MapDashboardApi();
        app.MapDashboardMetrics();
        app.MapAccountEndpoints();
        app.MapHub<DashboardHub>(DashboardHub.Path).RequireAuthorization(Policies.View);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
