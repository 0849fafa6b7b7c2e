using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServerDashboard.Auth;
using ServerDashboard.Hosting;
using ServerDashboard.Logs;
using ServerDashboard.Processes;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Security;

/// <summary>Findings 3, 7, 8 and 9: modes, key expiry, login back-off, retention, validation, run-as, secrets at rest, queues.</summary>
public sealed class HardeningTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory = fixture.Factory;

    [Fact]
    public async Task After_start_the_data_keys_and_logs_directories_are_0700_and_the_database_and_logs_0600_even_if_they_were_wider()
    {
        using var data = new TempDirectory("sd-modes");
        File.SetUnixFileMode(data.Path, (UnixFileMode)0x1ED); // 0755, as an older version or a careless hand left it
        Directory.CreateDirectory(Path.Combine(data.Path, "logs"));
        File.SetUnixFileMode(Path.Combine(data.Path, "logs"), (UnixFileMode)0x1ED);
        File.WriteAllText(Path.Combine(data.Path, "logs", "dashboard-20260101.log"), "old\n");
        File.SetUnixFileMode(Path.Combine(data.Path, "logs", "dashboard-20260101.log"), (UnixFileMode)0x1A4); // 0644

        TestStore.KeepOnSqlite(data.Path); // about the SQLite file's mode
        using var app = new DashboardFactory(data.Path);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateAnonymousClient().GetAsync("/api/v1/health")).StatusCode);

        foreach (var directory in new[] { data.Path, Path.Combine(data.Path, "keys"), Path.Combine(data.Path, "logs") })
        {
            Assert.Equal(0x1C0, PrivateFiles.ModeOf(directory, directory: true)); // 0700
        }

        Assert.Equal(0x180, PrivateFiles.ModeOf(Path.Combine(data.Path, "dashboard.db"))); // 0600
        Assert.All(Directory.GetFiles(Path.Combine(data.Path, "logs")), file => Assert.Equal(0x180, PrivateFiles.ModeOf(file)));
        Assert.Contains(Directory.GetFiles(Path.Combine(data.Path, "logs")), f => !f.EndsWith("20260101.log", StringComparison.Ordinal)); // today's, new
    }

    [Fact]
    public async Task An_api_key_with_an_expiry_works_until_then_and_is_refused_after()
    {
        var keys = factory.Services.GetRequiredService<ApiKeyService>();
        var key = await keys.CreateAsync($"expiring-{Guid.NewGuid():N}", Roles.Viewer, "tests", DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        var expired = await keys.CreateAsync($"expired-{Guid.NewGuid():N}", Roles.Viewer, "tests", DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        // Moved into the past behind the service's back (no clock to fake in the host): as if its day had come.
        await ExecuteAsync($"""UPDATE "ApiKeys" SET "ExpiresAt" = {Stored(DateTimeOffset.UtcNow.AddMinutes(-1))} WHERE "Id" = {expired.Entity.Id}""");

        Assert.Equal(HttpStatusCode.OK, (await ClientWith(key.PlainTextKey).GetAsync("/api/v1/servers")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ClientWith(expired.PlainTextKey).GetAsync("/api/v1/servers")).StatusCode);
        await Assert.ThrowsAsync<ArgumentException>(() => keys.CreateAsync("past", Roles.Viewer, "tests", DateTimeOffset.UtcNow.AddMinutes(-1), CancellationToken.None));
    }

    [Fact]
    public void Login_back_off_is_per_user_and_address_and_old_entries_are_evicted()
    {
        var time = new SteppingTime();
        var throttle = new LoginThrottle(Options.Create(new DashboardOptions
        {
            LoginThrottle = new LoginThrottleOptions { MaxFailures = 3, MaxFailuresPerAddress = 10, WindowSeconds = 60 },
        }), time);

        for (var i = 0; i < 3; i++)
        {
            throttle.RecordFailure("admin", "198.51.100.1");
        }

        Assert.True(throttle.IsBlocked("admin", "198.51.100.1", out var retry));
        Assert.True(retry > TimeSpan.Zero);
        Assert.False(throttle.IsBlocked("admin", "198.51.100.2", out _)); // the attacker cannot lock the real admin out
        Assert.False(throttle.IsBlocked("alice", "198.51.100.1", out _));

        for (var i = 0; i < 1000; i++)
        {
            throttle.RecordFailure($"user{i}", $"203.0.113.{i % 250}");
        }

        Assert.True(throttle.TrackedEntries > 1000);
        time.Advance(TimeSpan.FromSeconds(61));
        throttle.RecordFailure("late", "192.0.2.1"); // a sweep is due: everything older than the window goes
        Assert.Equal(2, throttle.TrackedEntries);
        Assert.False(throttle.IsBlocked("admin", "198.51.100.1", out _));
    }

    [Fact]
    public async Task Audit_entries_older_than_the_retention_are_deleted()
    {
        var audit = factory.Services.GetRequiredService<ServerDashboard.Audit.AuditLog>();
        await audit.RecordAsync(Sessions.TestActor, "Retained", "recent", true, "ok");
        await audit.RecordAsync(Sessions.TestActor, "Expired", "old", true, "ok");
        await ExecuteAsync($"""UPDATE "AuditLog" SET "At" = {Stored(DateTimeOffset.UtcNow.AddDays(-181))} WHERE "Action" = 'Expired'""");

        var deleted = await factory.Services.GetServices<IHostedService>().OfType<AuditRetentionService>().Single().CleanupOnceAsync(CancellationToken.None);

        Assert.True(deleted >= 1);
        Assert.Equal(0, (await audit.QueryAsync(new ServerDashboard.Audit.AuditQuery(Action: "Expired"), CancellationToken.None)).Total);
        Assert.Equal(1, (await audit.QueryAsync(new ServerDashboard.Audit.AuditQuery(Action: "Retained"), CancellationToken.None)).Total);
    }

    [Theory]
    [InlineData(" /etc/shadow")]
    [InlineData("\t../../etc/shadow")]
    [InlineData("logs/../../outside.log")]
    public async Task Log_files_are_trimmed_before_validation_and_must_stay_under_the_working_directory(string entry)
    {
        var admin = await Sessions.ApiKeyClientAsync(factory, Roles.Admin);
        var model = ServerRequests.Valid($"logfiles-{Guid.NewGuid():N}"[..20]);
        model.LogFiles = [entry];

        var response = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("logFiles", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task As_root_a_server_without_a_run_as_user_carries_a_warning_and_RequireRunAsUser_makes_it_an_error()
    {
        Assert.True(UnixAccounts.IsRoot);
        var admin = await Sessions.ApiKeyClientAsync(factory, Roles.Admin);
        var model = ServerRequests.Valid($"runas-{Guid.NewGuid():N}"[..20]);
        var created = (await (await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!;
        Assert.Equal(RunAsAdvisor.Warning, created.RunAsWarning);
        model.Name += "-2";
        model.Port += 100;
        model.RunAsUser = UnixAccounts.GameUser;
        Assert.Null((await (await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!.RunAsWarning);

        using var strict = new DashboardFactory(settings: new Dictionary<string, string> { ["Dashboard:Security:RequireRunAsUser"] = "true" });
        var strictAdmin = await Sessions.ApiKeyClientAsync(strict, Roles.Admin);
        var refused = await strictAdmin.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid("needs-user"), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("runAsUser", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Secret_environment_values_are_not_stored_in_plain_text()
    {
        var admin = await Sessions.ApiKeyClientAsync(factory, Roles.Admin);
        var model = ServerRequests.Valid($"envsecret-{Guid.NewGuid():N}"[..20]);
        model.Environment = new() { ["API_TOKEN"] = "very-secret-token-77", ["PLAIN"] = "x" };
        model.SecretEnvironmentKeys = ["API_TOKEN"];
        var created = (await (await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!;

        var stored = await ScalarAsync($"""SELECT "Environment" FROM "Servers" WHERE "Id" = {created.Id}""");
        Assert.StartsWith("dp1:", stored);
        Assert.DoesNotContain("very-secret-token-77", stored);
        var fetched = (await admin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{created.Id}", JsonDefaults.Options))!;
        Assert.Equal("very-secret-token-77", fetched.Environment["API_TOKEN"]);
    }

    [Fact]
    public async Task A_demoted_or_deleted_user_fails_the_circuits_revalidation()
    {
        var id = await Sessions.CreateUserAsync(factory, $"circuit-{Guid.NewGuid():N}"[..16], Roles.Admin);
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var principalFactory = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<IdentityUser>>();
        var identity = scope.ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>().Value;
        var principal = await principalFactory.CreateAsync((await users.FindByIdAsync(id))!);
        Assert.True(await SecurityStampRevalidator.IsCurrentAsync(users, principal, identity));

        await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetRoleAsync(id, Roles.Viewer, Sessions.TestActor);

        Assert.False(await SecurityStampRevalidator.IsCurrentAsync(users, principal, identity));
    }

    [Fact]
    public void A_subscriber_queue_is_bounded_in_bytes_as_well_as_lines()
    {
        var subscriber = new LogSubscriber(capacity: 10_000, maxBytes: 64 * 1024);
        var line = new string('x', 16 * 1024); // 32 KiB in memory
        subscriber.ExpectNext(1);
        subscriber.Offer([.. Enumerable.Range(1, 100).Select(i => new LogLine(i, line, 0, "console"))]);

        Assert.True(subscriber.QueuedBytes <= 64 * 1024, $"{subscriber.QueuedBytes} bytes queued");
    }

    /// <summary>How EF's DateTimeOffsetToBinaryConverter stores a UTC time (the store's column format).</summary>
    private static long Stored(DateTimeOffset utc) => ((utc.Ticks / 1000) << 11) | ((long)utc.Offset.TotalMinutes & 0x07FF);

    private HttpClient ClientWith(string key)
    {
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        return client;
    }

    private Task ExecuteAsync(string sql) => TestStore.ExecuteSqlAsync(factory.Services, sql);

    private async Task<string> ScalarAsync(string sql) => (string)(await TestStore.ScalarAsync(factory.Services, sql))!;

    private sealed class SteppingTime : TimeProvider
    {
        private DateTimeOffset now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
