using System.Xml.Linq;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// The stack floor: the blank Blazor Server app plus the libraries the dashboard's brief names, doing nothing of its own —
/// MudBlazor's services, EF Core on SQLite (one entity, created at start, one query per <c>GET /health</c>) and Serilog
/// (console, Warning, like the measured dashboard). Published like the dashboard (Release, ReadyToRun). What it costs
/// over the blank app is what any dashboard on this stack pays before its first feature: the part of our idle RSS and
/// cold start that no change inside the dashboard can remove.
/// </summary>
public static class StackFloorApp
{
    public const string Name = "StackFloor";
    public const string ProbePath = "/health";

    /// <summary>The floor's packages at the versions the dashboard uses (the repository's Directory.Packages.props).</summary>
    public static IReadOnlyList<(string Id, string Version)> Packages()
    {
        var props = XDocument.Load(Path.Combine(BenchmarkOptions.RepositoryRoot(), "Directory.Packages.props"));
        var versions = props.Descendants("PackageVersion").ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        return new[] { "MudBlazor", "Microsoft.EntityFrameworkCore.Sqlite", "Serilog.AspNetCore" }.Select(id => (id, versions[id])).ToList();
    }

    /// <summary>Replaces the template's Program.cs.</summary>
    public const string Program = """
        using Microsoft.EntityFrameworkCore;
        using MudBlazor.Services;
        using Serilog;
        using StackFloor.Components;

        var builder = WebApplication.CreateBuilder(args);
        builder.Host.UseSerilog((_, logger) => logger.MinimumLevel.Warning().WriteTo.Console());
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddDbContextFactory<FloorDb>(o => o.UseSqlite("Data Source=" + Path.Combine(AppContext.BaseDirectory, "floor.db")));

        var app = builder.Build();
        using (var db = app.Services.GetRequiredService<IDbContextFactory<FloorDb>>().CreateDbContext())
        {
            db.Database.EnsureCreated();
            _ = db.Items.Count();
        }

        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapGet("/health", async (IDbContextFactory<FloorDb> factory) =>
        {
            await using var db = await factory.CreateDbContextAsync();
            return Results.Ok(new { status = "ok", items = await db.Items.CountAsync() });
        });
        app.Run();

        public sealed class FloorDb(DbContextOptions<FloorDb> options) : DbContext(options)
        {
            public DbSet<Item> Items => Set<Item>();
        }

        public sealed class Item
        {
            public int Id { get; set; }
            public string Name { get; set; } = "";
        }
        """;
}
