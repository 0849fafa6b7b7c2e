using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MudBlazor.Services;
using ServerDashboard.Auth;
using ServerDashboard.Data;
using ServerDashboard.Hosting;
using ServerDashboard.Processes;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace ServerDashboard.Tests.Components;

/// <summary>
/// A bUnit context wired like the app: a real SQLite file in a temp dir (or PostgreSQL: <see cref="TestStore"/>; migrated), real Identity, the real
/// ApiKeyService and UserAdministration, the real Processes module and supervisor (PID files under the temp dir),
/// MudBlazor's services (loose JS interop: its components call into MudBlazor.min.js, which bUnit has not). Only authentication is bUnit's fake; no hosted service runs.
/// </summary>
public sealed class DashboardComponentContext : BunitContext
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "sd-bunit-" + Guid.NewGuid().ToString("N"));

    public DashboardComponentContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        // Component tests stay on SQLite in the PostgreSQL pass too: their WaitFor timeouts did not hold on a loaded machine
        // while each context created and migrated a database of its own. Remove this line to run them on PostgreSQL.
        TestStore.KeepOnSqlite(directory);
        Data = new DataDirectory(directory);
        Auth = AddAuthorization();

        var services = Services;
        services.AddSingleton(Data);
        services.AddSingleton(TimeProvider.System);
        services.AddLogging();
        // The app's own store registration: SQLite in the temp dir, or PostgreSQL with SERVERDASHBOARD_TEST_POSTGRES=1.
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(TestStore.SettingsFor(directory).ToDictionary(kv => kv.Key, kv => (string?)kv.Value)).Build();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(configuration);
        services.AddDashboardStore();
        services.AddDataProtection().UseEphemeralDataProtectionProvider(); // password-reset tokens, secrets at rest
        services.AddIdentityCore<IdentityUser>(identity => identity.Password.RequiredLength = 10) // as in DashboardServices
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<DashboardDbContext>()
            .AddDefaultTokenProviders();
        services.AddSingleton<ApiKeyService>();
        services.AddScoped<UserAdministration>();
        DashboardServices.AddUi(services);
        AddProcessesAndSupervision(services);

        // Migrated without resolving a service: tests still add services after this constructor.
        var store = DashboardStore.FromConfiguration(configuration, Data);
        using var db = store.Create(store.BuildOptions(null, null), null);
        db.Database.Migrate();
    }

    public DataDirectory Data { get; }

    public ApplicationLifetime Lifetime { get; } = new();

    public BunitAuthorizationContext Auth { get; }

    /// <summary>Signs in <paramref name="userName"/> with <paramref name="role"/> and the policies the app grants that role.</summary>
    public void LogInAs(string userName, string role)
    {
        Auth.SetAuthorized(userName);
        Auth.SetRoles(role);
        // bUnit's fake authorization grants policies by name; these mirror DashboardServices.AddAuth.
        Auth.SetPolicies(role switch
        {
            Roles.Admin => [Policies.View, Policies.Operate, Policies.Admin],
            Roles.Operator => [Policies.View, Policies.Operate],
            _ => [Policies.View],
        });
    }

    /// <summary>Creates the roles and a user through the real UserAdministration.</summary>
    public async Task AddUserAsync(string userName, string role, string password = "Correct-Horse-9")
    {
        await using var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var name in Roles.All)
        {
            if (!await roles.RoleExistsAsync(name))
            {
                await roles.CreateAsync(new IdentityRole(name));
            }
        }

        var result = await scope.ServiceProvider.GetRequiredService<UserAdministration>().CreateAsync(userName, password, role, "test");
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>As DashboardServices.AddProcessesAndSupervision and AddServers, minus the hosted services.</summary>
    private void AddProcessesAndSupervision(IServiceCollection services)
    {
        services.AddSingleton<IHostApplicationLifetime>(Lifetime);
        services.AddOptions<DashboardOptions>().Configure(o => o.DataDirectory = Data.Path);
        services.AddProcesses(o => o.DataDirectory = Data.Path);
        DashboardServices.AddServers(services);
    }

    /// <summary>A component beside MudBlazor's popover, dialog and snackbar providers, as MainLayout hosts them.</summary>
    public IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> RenderWithProviders<TComponent>(params (string Name, object Value)[] parameters)
        where TComponent : Microsoft.AspNetCore.Components.IComponent => Render(builder =>
    {
        builder.OpenComponent<MudBlazor.MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudBlazor.MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<MudBlazor.MudSnackbarProvider>(2);
        builder.CloseComponent();
        builder.OpenComponent<TComponent>(3);
        foreach (var (name, value) in parameters)
        {
            builder.AddAttribute(4, name, value);
        }

        builder.CloseComponent();
    });

    public DashboardDbContext OpenDb() => Services.GetRequiredService<IDbContextFactory<DashboardDbContext>>().CreateDbContext();

    private bool disposed;

    /// <summary>
    /// MudBlazor registers services that are only IAsyncDisposable (KeyInterceptorService), so the container must be
    /// disposed asynchronously: the synchronous Dispose the tests call takes that path.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
            return;
        }

        if (!disposed)
        {
            base.Dispose(disposing);
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await base.DisposeAsyncCore();
        Lifetime.Dispose(); // ends any background work the supervisor handed off
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // releases the file so the directory can go
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp dir left behind is harmless
        }
    }
}

/// <summary>The host's lifetime for a context without a host: "stopping" fires when the test context is disposed.</summary>
public sealed class ApplicationLifetime : IHostApplicationLifetime, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => stopping.Token;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication() => stopping.Cancel();

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }
}
