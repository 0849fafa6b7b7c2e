using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Hosting;

/// <summary>Builds the web app, or the services alone for CLI commands that act on a data directory without serving.</summary>
public static class DashboardHost
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static WebApplication Build(string[] args, string? dataDir)
    {
        var builder = WebApplication.CreateBuilder(args);
        Configure(builder, dataDir);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrls); // loopback by default: exposing the dashboard is a decision (README)
        }

        builder.AddDashboard();
        var app = builder.Build();
        app.UseDashboard();
        return app;
    }

    /// <summary>The dashboard's services over the data directory's migrated store, without a web server.</summary>
    public static async Task<ServiceProvider> BuildOfflineServicesAsync(string? dataDir, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder([]);
        Configure(builder, dataDir);
        builder.Configuration["Serilog:MinimumLevel:Default"] = "Warning";
        builder.Configuration["Dashboard:Logging:ConsoleToStdErr"] = "true"; // stdout is the command's own output
        builder.AddDashboard();
        var services = builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DashboardDbContext>().Database.MigrateAsync(cancellationToken);
        return services;
    }

    private static void Configure(WebApplicationBuilder builder, string? dataDir)
    {
        if (!string.IsNullOrEmpty(dataDir))
        {
            builder.Configuration[$"{DashboardOptions.SectionName}:{nameof(DashboardOptions.DataDirectory)}"] = dataDir;
        }
    }
}
