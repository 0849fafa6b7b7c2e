using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Hosting;

/// <summary>Builds the web app, or the services alone for CLI commands that act on a data directory without serving.</summary>
public static class DashboardHost
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static WebApplication Build(string[] args, string? dataDir)
    {
        // Power actions make blocking syscalls (posix_spawn, fsync of PID files, SQLite): with the pool's default minimum
        // (one thread per core) a burst of starts queues behind them while the pool grows slowly.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);

        var builder = WebApplication.CreateBuilder(Options(args));
        Configure(builder, dataDir);
        DashboardStore.Validate(builder.Configuration); // a bad store setting is a one-line error, not a failed host start
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrls); // loopback by default: exposing the dashboard is a decision (README)
        }

        // Package and framework assets (_content/MudBlazor/..., _framework/blazor.web.js) of an unpublished build are found through the static web assets
        // manifest beside the binaries; ASP.NET Core reads it only in Development unless asked. Published builds have no
        // manifest (the files are under wwwroot), so this is then a no-op.
        builder.WebHost.UseStaticWebAssets();
        builder.AddDashboard();
        var app = builder.Build();
        // EF Core's model is built on the other core while the pipeline is put together and the host starts (StoreModelWarmUp).
        app.Services.GetRequiredService<StoreModelWarmUp>().Start();
        app.UseDashboard();
        return app;
    }

    /// <summary>The dashboard's services over the data directory's migrated store, without a web server.</summary>
    /// <param name="settings">Configuration a command sets from its own options (e.g. <c>--pid-dir</c>).</param>
    public static async Task<ServiceProvider> BuildOfflineServicesAsync(string? dataDir, CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(Options([]));
        Configure(builder, dataDir);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        builder.Configuration["Serilog:MinimumLevel:Default"] = "Warning";
        builder.Configuration["Dashboard:Logging:ConsoleToStdErr"] = "true"; // stdout is the command's own output
        builder.AddDashboard();
        var services = builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DashboardDbContext>().Database.MigrateAsync(cancellationToken);
        return services;
    }

    /// <summary>
    /// appsettings.json lives beside the binaries; run from elsewhere (<c>dotnet run --project src/ServerDashboard</c> from
    /// the repository root), the content root must point there or the settings would be missed.
    /// </summary>
    private static WebApplicationOptions Options(string[] args) =>
        File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"))
            ? new WebApplicationOptions { Args = args }
            : new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory };

    private static void Configure(WebApplicationBuilder builder, string? dataDir)
    {
        // The seed's DAEMON_* variables, below the native spellings; a bad value throws InvalidConfigurationException here.
        DaemonEnvironmentSource.AddTo(builder.Configuration);
        if (!string.IsNullOrEmpty(dataDir))
        {
            builder.Configuration[$"{DashboardOptions.SectionName}:{nameof(DashboardOptions.DataDirectory)}"] = dataDir;
        }
    }
}
