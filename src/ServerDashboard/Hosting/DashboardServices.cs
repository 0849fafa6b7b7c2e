using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Components.Layout;
using ServerDashboard.Data;
using ServerDashboard.Jobs;
using ServerDashboard.Logs;
using ServerDashboard.Metrics;
using ServerDashboard.Notifications;
using ServerDashboard.Ports;
using ServerDashboard.Processes;
using ServerDashboard.Rcon;
using ServerDashboard.Schedules;
using ServerDashboard.Servers;

namespace ServerDashboard.Hosting;

/// <summary>The composition root: every service the dashboard uses is registered here.</summary>
public static class DashboardServices
{
    /// <summary>The cookie and API-key schemes behind one default that picks by what the request carries.</summary>
    public const string CompositeScheme = "Dashboard";

    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), "Dashboard:DataDirectory must be set.")
            .Validate(o => o.Logging.RetainedFileCount > 0, "Dashboard:Logging:RetainedFileCount must be at least 1.")
            .Validate(o => o.ReverseProxy.KnownProxies.All(p => System.Net.IPAddress.TryParse(p.Trim(), out _))
                           && o.ReverseProxy.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n.Trim(), out _)),
                "Dashboard:ReverseProxy:KnownProxies must be IP addresses and KnownNetworks CIDR networks (e.g. 10.0.0.0/8).")
            .Validate(o => o.RateLimits.ReadsPerSecond > 0 && o.RateLimits.LogReadsPerSecond > 0 && o.RateLimits.ActionsPerSecond > 0 && o.RateLimits.Burst >= 0,
                "Dashboard:RateLimits must be positive.")
            .Validate(o => o.Security.MaxStreamsPerUser > 0 && o.Audit.RetentionDays > 0, "Dashboard:Security:MaxStreamsPerUser and Dashboard:Audit:RetentionDays must be positive.")
            .Validate(o => ProcessLaunchModes.Normalize(o.Processes.LaunchMode) is not null, "Dashboard:Processes:LaunchMode must be posix_spawn or double_fork.")
            .Validate(o => o.Processes.Persistence, "Dashboard:Processes:Persistence cannot be false: PID files are how servers survive a dashboard restart.")
            .Validate(o => o.Processes.PidDirectory is null || (o.Processes.PidDirectory.Trim().Length > 0 && !o.Processes.PidDirectory.Contains('\0')),
                "Dashboard:Processes:PidDirectory must be a directory path.")
            .Validate(o => o.ServerDefaults.MaxMemoryMb is null or > 0 && o.ServerDefaults.MaxCpuPercent is null or > 0 && o.ServerDefaults.MaxOpenFiles is null or >= 16,
                "Dashboard:ServerDefaults: MaxMemoryMb and MaxCpuPercent must be positive, MaxOpenFiles at least 16.")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var dashboard = sp.GetRequiredService<IOptions<DashboardOptions>>().Value;
            return new DataDirectory(dashboard.ResolveDataDirectory(), dashboard.Processes.PidDirectory);
        });
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<RconOptions>().BindConfiguration(RconOptions.SectionName)
            .Validate(o => o.CommandTimeout > TimeSpan.Zero && o.ConnectTimeout > TimeSpan.Zero && o.RetryAttempts is null or >= 0,
                "Rcon:CommandTimeout and Rcon:ConnectTimeout must be positive, Rcon:RetryAttempts 0 or more.")
            .ValidateOnStart();

        builder.Logging.ClearProviders();
        services.AddDashboardLogging();

        AddStore(services);
        AddAuth(services);
        AddServers(services);

        services.AddRazorComponents().AddInteractiveServerComponents();
        AddUi(services);
        // Enums as strings on the hub too, like the REST API ("Running", not 2).
        services.AddSignalR().AddJsonProtocol(json =>
        {
            json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter());
            json.PayloadSerializerOptions.Converters.Add(new Text.NulFreeStringConverter());
        });
        services.AddOpenApi("v1");
        services.AddProblemDetails();
        services.AddErrorResponses();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()); // strings out, case-insensitive in
            json.SerializerOptions.Converters.Add(new Text.NulFreeStringConverter()); // a NUL is a 400, never a 500 from the store
        });
        // Hosted services start in this order, all before Kestrel accepts a request.
        services.AddHostedService<InstanceLockService>();
        services.AddHostedService<StartupTasks>();
        AddProcessesAndSupervision(services);
        services.AddPorts(); // after the supervisor: the start-up port check needs the re-adopted daemons
        services.AddJobs();
        services.AddSchedules(); // after the jobs: schedules start backups and job types
        services.AddDashboardMetrics(); // GET /metrics (docs/metrics.md)
        services.AddNotifications(); // webhooks: listens to servers, jobs and ports
        services.AddDashboardRateLimiting();
        services.AddHostedService<AuditRetentionService>();
        services.AddHostedService<MemoryTrimmer>();
        services.AddDashboardShutdown();
        return builder;
    }

    private static void AddStore(IServiceCollection services)
    {
        services.AddDashboardStore(); // SQLite or PostgreSQL (Dashboard:Database:Provider)

        // Keys live under the data directory so cookies survive restarts (and later protect secrets at rest).
        services.AddDataProtection().SetApplicationName("ServerDashboard");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            var keys = sp.GetRequiredService<DataDirectory>().KeysDirectory;
            Directory.CreateDirectory(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.XmlRepository = new Microsoft.AspNetCore.DataProtection.Repositories.FileSystemXmlRepository(
                new DirectoryInfo(keys), sp.GetRequiredService<ILoggerFactory>());
        }));
    }

    private static void AddAuth(IServiceCollection services)
    {
        services.AddIdentityCore<IdentityUser>(identity =>
            {
                identity.Password.RequiredLength = 10;
                identity.Lockout.AllowedForNewUsers = true;
                identity.Lockout.MaxFailedAccessAttempts = 5;
                identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                identity.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@";
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<DashboardDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddAuthentication(CompositeScheme)
            .AddPolicyScheme(CompositeScheme, "Cookie or API key", scheme =>
            {
                scheme.ForwardDefaultSelector = context => ApiKeyAuthenticationHandler.FindKey(context.Request) is not null
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            // Never issued (no two-factor here), but Identity's SecurityStampValidator signs it out when it rejects a cookie:
            // without the scheme, a demoted user's next request would be a 500 instead of a clean sign-out.
            .AddCookie(IdentityConstants.TwoFactorRememberMeScheme)
            .AddCookie(IdentityConstants.ApplicationScheme, cookie =>
            {
                cookie.LoginPath = "/account/login";
                cookie.LogoutPath = "/account/logout";
                cookie.AccessDeniedPath = "/account/denied";
                cookie.Cookie.Name = "ServerDashboard.Auth";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                // https directly, or at a known reverse proxy (X-Forwarded-Proto, see ForwardedHeadersSetup): Secure.
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = TimeSpan.FromDays(7);
                cookie.SlidingExpiration = true;
                cookie.Events = new CookieAuthenticationEvents
                {
                    // Scripts and hubs get status codes, browsers get the login page.
                    OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized),
                    OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden),
                    OnValidatePrincipal = SecurityStampValidator.ValidatePrincipalAsync,
                };
            });
        // The cookie's security stamp is re-checked this often: a demoted or deleted user's cookie stops working then.
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<DashboardOptions>>((o, dashboard) =>
            o.ValidationInterval = TimeSpan.FromMinutes(Math.Max(0, dashboard.Value.Security.RevalidationMinutes)));

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.View, p => p.RequireRole(Roles.Admin, Roles.Operator, Roles.Viewer))
            .AddPolicy(Policies.Operate, p => p.RequireRole(Roles.Admin, Roles.Operator))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));
        services.AddCascadingAuthenticationState();
        // Open pages lose rights their user no longer has (role change, deletion, password reset).
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, SecurityStampRevalidator>();
        // Our SecurityHeaders middleware sends X-Frame-Options: DENY; antiforgery's own SAMEORIGIN would be a second value.
        services.AddAntiforgery(o => o.SuppressXFrameOptionsHeader = true);

        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<Hubs.HubStreamSlots>();
        services.AddSingleton<LoginThrottle>();
        services.AddScoped<LoginService>();
        services.AddSingleton<FirstRunBanner>();
        services.AddScoped<AdminBootstrapper>();
        services.AddScoped<UserAdministration>();
    }

    private static void AddProcessesAndSupervision(IServiceCollection services)
    {
        services.AddOptions<ProcessOptions>().Configure<DataDirectory, IOptions<DashboardOptions>>((processes, dataDirectory, dashboard) =>
        {
            processes.DataDirectory = dataDirectory.Path;
            processes.PidDirectory = dataDirectory.RunDirectory;
            processes.Cgroups = dashboard.Value.Cgroups;
            processes.StopServersOnShutdown = dashboard.Value.StopServersOnShutdown;
            processes.DashboardVersion = HealthVersion.Current;
        });
        services.AddHostedService(sp => sp.GetRequiredService<RunStateStore>()); // stops after the supervisor: last writes land
        services.AddSupervisionHosting(); // Dashboard:Supervision, and the transition store: stops after the supervisor
        services.AddProcesses(); // registers ExitMonitor: loads PID files after the store is migrated
        services.AddHostedService(sp => sp.GetRequiredService<ConsoleMarkers>()); // before adoption: sees every transition
        services.AddHostedService<SupervisorService>();
        services.AddOptions<Servers.Monitoring.MonitoringOptions>().BindConfiguration(Servers.Monitoring.MonitoringOptions.SectionName)
            .Validate(o => o.IntervalSeconds >= 1, "Dashboard:Monitoring:IntervalSeconds must be a whole number of seconds, at least 1.")
            .Validate(o => o.StartupTimeoutSeconds >= 1, "Dashboard:Monitoring:StartupTimeoutSeconds must be a whole number of seconds, at least 1.")
            .Validate(o => o.UnhealthyAfterChecks >= 1, "Dashboard:Monitoring:UnhealthyAfterChecks must be at least 1.")
            .Validate(o => o.History.FullResolutionHours >= 1 && o.History.MinuteAveragesDays >= 1 && o.History.HourAveragesDays >= 1,
                "Dashboard:Monitoring:History: FullResolutionHours, MinuteAveragesDays and HourAveragesDays must be at least 1.")
            .Validate(o => o.Crashes.RetentionPerServer >= 1 && o.Crashes.LastLines is >= 0 and <= 1000,
                "Dashboard:Monitoring:Crashes: RetentionPerServer must be at least 1, LastLines from 0 to 1000.")
            .ValidateOnStart();
        services.AddSingleton<Servers.Monitoring.MonitoringService>();
        services.AddHostedService(sp => sp.GetRequiredService<Servers.Monitoring.MonitoringService>()); // after adoption: ticks see adopted servers
        services.AddServerHistoryMaintenance(); // crash records, resource history and its downsampling
        services.AddLogTailing(); // after the supervisor: follows the logs of what it re-adopted
    }

    /// <summary>MudBlazor and the per-tab UI state (bUnit tests use this too).</summary>
    internal static void AddUi(IServiceCollection services)
    {
        services.AddMudServices(mud =>
        {
            mud.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            mud.SnackbarConfiguration.VisibleStateDuration = 6000;
            mud.SnackbarConfiguration.ShowCloseIcon = true;
            mud.SnackbarConfiguration.PreventDuplicates = false;
        });
        services.AddScoped<ThemeState>();
    }

    /// <summary>The server definitions and their supervision, without hosted services (bUnit tests use this too).</summary>
    internal static void AddServers(IServiceCollection services)
    {
        services.AddSingleton<ExpectedProcessLookup>(sp => sp.GetRequiredService<ExpectedProcesses>().Find);
        services.AddSingleton<ExpectedProcesses>();
        services.AddSingleton<RunStateStore>();
        services.AddSingleton<LaunchPlanner>();
        services.AddSingleton<ReadinessProbe>();
        services.AddSingleton<PowerLocks>();
        services.AddSupervision();
        services.AddSingleton<ServerStatusBoard>();
        services.AddSingleton<ServerResourceMonitor>();
        services.AddSingleton<ServerSupervisor>();
        services.AddSingleton<ConsoleMarkers>();
        services.AddRcon();
        services.AddSingleton<ProcessCleanup>();
        services.AddSingleton<ProgramChecker>();
        services.AddSingleton<UnixUsers>();
        services.AddSingleton<RunAsAdvisor>();
        services.AddSingleton<ServerIsolation>();
        services.AddSingleton<RconPasswordGenerator>();
        services.AddSingleton<ServerValidator>();
        services.AddSingleton<ServerCatalog>();
        services.AddSingleton<ServerTemplates>();
        services.TryAddSingleton<StdinWriter>();
        services.AddSingleton<ConsoleCommands>();
        services.AddSingleton<AuditLog>();
        services.TryAddSingleton<LiveConnections>(); // users and keys whose rights change lose their open connections
        services.AddSingleton<CommandHistory>();
        services.AddHttpContextAccessor(); // the client address of a circuit, for the audit log
        services.AddScoped<CircuitActor>();
        services.AddLogs(); // the supervisor rotates console.log before each start
        services.AddServerHistory(); // crash records and resource history (the pages read them)
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") || path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/openapi"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
