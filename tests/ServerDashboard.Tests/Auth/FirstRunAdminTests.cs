using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Auth;

public sealed partial class FirstRunAdminTests
{
    [GeneratedRegex(@"Password \(shown only this once[^\n]*\n\s*\n\s*(\S+)")]
    private static partial Regex BannerPassword();

    [Fact]
    public async Task Without_an_initial_password_one_is_generated_printed_once_and_works()
    {
        using var data = new TempDirectory();
        string password;
        using (var factory = new DashboardFactory(data.Path, initialAdminPassword: null))
        {
            var client = factory.CreateAnonymousClient();
            var match = BannerPassword().Match(factory.Console.ToString());
            Assert.True(match.Success, "banner not found in: " + factory.Console);
            password = match.Groups[1].Value;
            Assert.True(password.Length >= 16);

            var login = await LoginForm.PostAsync(client, "admin", password);
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal("/", LocalPath(login));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/servers")).StatusCode);
        }

        var logs = string.Join("\n", Directory.GetFiles(Path.Combine(data.Path, "logs")).Select(File.ReadAllText));
        Assert.Contains("First start: created the account 'admin'", logs);
        Assert.DoesNotContain(password, logs); // the secret went to the console only

        using var restarted = new DashboardFactory(data.Path, initialAdminPassword: null);
        _ = restarted.CreateAnonymousClient();
        Assert.DoesNotContain("shown only this once", restarted.Console.ToString());
    }

    [Fact]
    public async Task A_role_missing_from_the_store_is_created_again_on_the_next_start_and_the_admin_is_kept()
    {
        using var data = new TempDirectory();
        using (var factory = new DashboardFactory(data.Path, initialAdminPassword: "Configured-Password-9"))
        {
            _ = factory.CreateAnonymousClient();
            await using var scope = factory.Services.CreateAsyncScope();
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            Assert.True((await roles.DeleteAsync((await roles.FindByNameAsync(Roles.Viewer))!)).Succeeded);
        }

        using var restarted = new DashboardFactory(data.Path, initialAdminPassword: null);
        var client = restarted.CreateAnonymousClient();
        await using (var scope = restarted.Services.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in Roles.All)
            {
                Assert.True(await roles.RoleExistsAsync(role), role);
            }

            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            Assert.Single(users.Users);
        }

        Assert.Equal(string.Empty, restarted.Console.ToString()); // no second admin, no banner
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForm.PostAsync(client, "admin", "Configured-Password-9")).StatusCode);
    }

    [Fact]
    public async Task With_an_initial_password_that_password_works_and_nothing_is_printed()
    {
        using var factory = new DashboardFactory(initialAdminPassword: "Configured-Password-9");
        var client = factory.CreateAnonymousClient();

        var login = await LoginForm.PostAsync(client, "admin", "Configured-Password-9");

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(string.Empty, factory.Console.ToString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/servers")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_shows_an_error_and_sets_no_cookie()
    {
        using var factory = new DashboardFactory();
        var client = factory.CreateAnonymousClient();

        var login = await LoginForm.PostAsync(client, "admin", "wrong-password");

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(ServerDashboard.Auth.LoginService.FailureMessage), await login.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/servers")).StatusCode);
    }

    [Fact]
    public async Task Repeated_failures_for_one_user_from_one_address_are_throttled_even_with_the_right_password_with_the_same_message()
    {
        using var factory = new DashboardFactory();
        var client = factory.CreateAnonymousClient();

        for (var i = 0; i < 5; i++)
        {
            await LoginForm.PostAsync(client, "admin", "wrong-password");
        }

        var login = await LoginForm.PostAsync(client, "admin", DashboardFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var page = await login.Content.ReadAsStringAsync();
        Assert.Contains(System.Net.WebUtility.HtmlEncode(ServerDashboard.Auth.LoginService.FailureMessage), page); // no "locked" disclosure
        // The word, not the substring: the page's own help text says cookies can be "blocked".
        Assert.DoesNotMatch(new System.Text.RegularExpressions.Regex(@"\blocked\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase), page);
    }

    [Fact]
    public async Task A_user_name_with_a_newline_cannot_forge_a_line_in_the_dashboard_log()
    {
        using var factory = new DashboardFactory();
        var client = factory.CreateAnonymousClient();

        await LoginForm.PostAsync(client, "mallory\n[12:00:00 INF] forged: admin logged in", "wrong-password");

        var log = string.Join("\n", Directory.GetFiles(Path.Combine(factory.DataDirectory, "logs"))
            .Select(f => { using var r = new StreamReader(new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)); return r.ReadToEnd(); }));
        Assert.Contains("Failed login for mallory\\n[12:00:00 INF] forged", log);
        Assert.DoesNotContain(log.Split('\n'), l => l.StartsWith("[12:00:00 INF] forged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failures_spread_over_many_user_names_from_one_address_are_throttled_too()
    {
        using var factory = new DashboardFactory();
        var client = factory.CreateAnonymousClient();

        for (var i = 0; i < 20; i++)
        {
            await LoginForm.PostAsync(client, $"nobody{i}", "wrong-password");
        }

        var login = await LoginForm.PostAsync(client, "admin", DashboardFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(ServerDashboard.Auth.LoginService.FailureMessage), await login.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Login_redirects_only_to_local_paths()
    {
        using var factory = new DashboardFactory();
        var client = factory.CreateAnonymousClient();

        var response = await PostWithReturnUrlAsync(client, "https://evil.example/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", LocalPath(response));
    }

    /// <summary>The redirect target, which must stay on this host.</summary>
    private static string LocalPath(HttpResponseMessage response)
    {
        var location = new Uri(new Uri("http://localhost/"), response.Headers.Location!);
        Assert.Equal("localhost", location.Host);
        return location.PathAndQuery;
    }

    private static async Task<HttpResponseMessage> PostWithReturnUrlAsync(HttpClient client, string returnUrl)
    {
        var page = await client.GetStringAsync("/account/login");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Input.UserName"] = "admin",
            ["Input.Password"] = DashboardFactory.AdminPassword,
        });
        return await client.PostAsync("/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl), form);
    }
}
