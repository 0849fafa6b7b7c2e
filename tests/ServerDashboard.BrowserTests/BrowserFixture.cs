using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Playwright;
using ServerDashboard.Logs;
using ServerDashboard.Testing;

namespace ServerDashboard.BrowserTests;

/// <summary>
/// The real app on a real Kestrel port (temp data directory, known admin password) and one headless Debian Chromium,
/// shared by the browser tests. Playwright drives /usr/bin/chromium; it never downloads a browser.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public const string AdminPassword = "Admin-Password-1";

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("sd-browser-").FullName;
    private WebApplicationFactory<Program>? factory;
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = default!;

    public Uri BaseAddress { get; private set; } = default!;

    public IServiceProvider Services => factory!.Services;

    public string DataDirectory => dataDirectory;

    /// <summary>The app's log source: tests push lines and break streams (the real tailer is not involved).</summary>
    public FakeServerLogs Logs { get; } = new();

    /// <summary>Most UI tests drive the console with a fake log source; <see cref="RealLogsBrowserFixture"/> uses the real tailing.</summary>
    protected virtual bool UseFakeLogs => true;

    public async Task InitializeAsync()
    {
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Dashboard:DataDirectory", dataDirectory);
            builder.UseSetting("Dashboard:Admin:InitialPassword", AdminPassword);
            builder.UseSetting("Dashboard:StopServersOnShutdown", "true"); // no test server outlives the run
            builder.UseSetting("Dashboard:Memory:TrimUnusedMemory", "false"); // the test process's GC is not the dashboard's alone
            builder.UseSetting("urls", "http://127.0.0.1:0"); // overrides the app's default 127.0.0.1:5080
            if (UseFakeLogs)
            {
                builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<IServerLogs>(Logs)));
            }
        });
        factory.UseKestrel(0);
        factory.StartServer();
        var addresses = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        playwright = await Playwright.CreateAsync();
        Assertions.SetDefaultExpectTimeout(20_000); // a 2-core CI machine running a real app and browser: be patient, never sleep
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // Debian's Chromium as root needs --no-sandbox; the rest keeps it off the (closed) network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh browser context (no cookies). A dark system preference makes the first visit dark (App.razor).</summary>
    public async Task<IPage> NewPageAsync(Look look = Look.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = look == Look.Phone ? new() { Width = 390, Height = 844 } : new() { Width = 1440, Height = 900 },
            ColorScheme = look == Look.Dark ? ColorScheme.Dark : ColorScheme.Light,
            IsMobile = look == Look.Phone,
            HasTouch = look == Look.Phone,
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    /// <summary>Logs in through the form and waits until the circuit is interactive.</summary>
    public async Task<IPage> LoggedInPageAsync(string userName = "admin", string password = AdminPassword, Look look = Look.Light)
    {
        var page = await NewPageAsync(look);
        await GotoLoginAsync(page);
        await page.FillAsync("#username", userName);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=login-submit]");
        await WaitForCircuitAsync(page);
        return page;
    }

    /// <summary>
    /// Opens the login page and waits until it is the page to type into: on a first visit with a dark system preference
    /// App.razor's head script stores the preference and reloads once (hidden), and typing into the first copy would be lost.
    /// </summary>
    public static async Task GotoLoginAsync(IPage page)
    {
        await page.GotoAsync("/account/login", new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForFunctionAsync(
            "() => document.readyState === 'complete' && document.documentElement.style.visibility !== 'hidden' && /ServerDashboardTheme=/.test(document.cookie)");
    }

    /// <summary>A click before the circuit is up would be lost: wait for the marker MainLayout renders once interactive.</summary>
    public static Task WaitForCircuitAsync(IPage page) =>
        page.Locator("#circuit-ready[data-ready=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    /// <summary>Saves a definition through the real catalog (validation included) and returns its id.</summary>
    public async Task<int> CreateServerAsync(ServerDashboard.Servers.ServerModel model)
    {
        var result = await Services.GetRequiredService<ServerDashboard.Servers.ServerCatalog>().CreateAsync(model, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Fields.SelectMany(f => f.Value)));
        return result.Server!.Id;
    }

    /// <summary>Creates the user with that role through the real UserAdministration, once per fixture.</summary>
    public async Task CreateUserAsync(string userName, string role, string password)
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Microsoft.AspNetCore.Identity.IdentityUser>>();
        if (await users.FindByNameAsync(userName) is null)
        {
            var created = await scope.ServiceProvider.GetRequiredService<ServerDashboard.Auth.UserAdministration>().CreateAsync(userName, password, role, "tests");
            Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        }
    }

    /// <summary>A port the kernel just handed out on 127.0.0.1, released for a server definition to use.</summary>
    public static int FreePort() => ServerDashboard.Testing.FreePort.Next();

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>How the browser looks at the dashboard: a light or dark desktop at 1440×900, or a 390×844 phone.</summary>
public enum Look
{
    Light,
    Dark,
    Phone,
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>The same app with the real log tailing: for tests where a real process writes the lines.</summary>
public sealed class RealLogsBrowserFixture : BrowserFixture
{
    protected override bool UseFakeLogs => false;
}

[CollectionDefinition(Name)]
public sealed class RealLogsBrowserCollection : ICollectionFixture<RealLogsBrowserFixture>
{
    public const string Name = "browser-real-logs";
}
