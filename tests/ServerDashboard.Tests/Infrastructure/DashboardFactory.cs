using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerDashboard.Auth;
using ServerDashboard.Hosting;

namespace ServerDashboard.Tests.Infrastructure;

/// <summary>
/// The real app (real SQLite file, or a real PostgreSQL database: <see cref="TestStore"/>; real Identity, real middleware) on a temp data directory.
/// The first-run banner is captured instead of written to the console.
/// </summary>
public sealed class DashboardFactory : WebApplicationFactory<Program>
{
    public const string AdminPassword = "Admin-Password-1";

    /// <summary>Settings that lift the per-caller rate limits, for tests that fire bursts on purpose.</summary>
    public static readonly IReadOnlyDictionary<string, string> UnlimitedRates = new Dictionary<string, string>
    {
        ["Dashboard:RateLimits:ReadsPerSecond"] = "100000",
        ["Dashboard:RateLimits:LogReadsPerSecond"] = "100000",
        ["Dashboard:RateLimits:ActionsPerSecond"] = "100000",
    };

    private readonly TempDirectory? ownedDirectory;

    private readonly IReadOnlyDictionary<string, string> settings;

    public DashboardFactory(
        string? dataDirectory = null,
        string? initialAdminPassword = AdminPassword,
        bool stopServersOnShutdown = true,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        this.settings = settings ?? new Dictionary<string, string>();
        StopServersOnShutdown = stopServersOnShutdown;
        if (dataDirectory is null)
        {
            ownedDirectory = new TempDirectory("sd-app");
            dataDirectory = ownedDirectory.Path;
        }

        DataDirectory = dataDirectory;
        InitialAdminPassword = initialAdminPassword;
    }

    public string DataDirectory { get; }

    public string? InitialAdminPassword { get; }

    /// <summary>True by default so a test's servers never outlive it.</summary>
    public bool StopServersOnShutdown { get; }

    public StringWriter Console { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Dashboard:DataDirectory", DataDirectory);
        builder.UseSetting("Dashboard:Admin:InitialPassword", InitialAdminPassword ?? "");
        builder.UseSetting("Dashboard:StopServersOnShutdown", StopServersOnShutdown ? "true" : "false");
        // The GC is one per process and a trim is a full blocking collection: dozens of test hosts sharing this process
        // must not each trim it (MemoryTrimmerTests cover the trimmer; a dashboard started as a child process trims).
        builder.UseSetting("Dashboard:Memory:TrimUnusedMemory", "false");
        foreach (var (key, value) in TestStore.SettingsFor(DataDirectory).Concat(settings)) // SQLite, or PostgreSQL with SERVERDASHBOARD_TEST_POSTGRES=1
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(new FirstRunBanner(Console))));
    }

    /// <summary>A client that authenticates with a fresh API key of <paramref name="role"/>.</summary>
    public async Task<HttpClient> CreateClientWithRoleAsync(string role)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var keys = Services.GetRequiredService<ApiKeyService>();
        var key = await keys.CreateAsync($"test-{role}-{Guid.NewGuid():N}", role, "tests", CancellationToken.None);
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key.PlainTextKey);
        return client;
    }

    public HttpClient CreateAnonymousClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            ownedDirectory?.Dispose();
        }
    }
}

public static class HttpContentExtensions
{
    public static Task<T?> ReadJsonAsync<T>(this HttpResponseMessage response) =>
        response.Content.ReadFromJsonAsync<T>(JsonDefaults.Options);
}

public static class JsonDefaults
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = CreateOptions();

    private static System.Text.Json.JsonSerializerOptions CreateOptions()
    {
        var options = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        return options;
    }
}
