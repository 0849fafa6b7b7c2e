using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Security;

/// <summary>Finding 6: each action that matters leaves exactly one audit entry, whichever entry point asked for it.</summary>
public sealed class AuditCompletenessTests(DashboardFactoryFixture fixture) : IClassFixture<DashboardFactoryFixture>, IDisposable
{
    private readonly DashboardFactory factory = fixture.Factory;
    private readonly TempDirectory temp = new("sd-audit");

    private AuditLog Audit => factory.Services.GetRequiredService<AuditLog>();

    [Fact]
    public async Task User_and_key_administration_and_logins_leave_one_entry_each()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var keys = factory.Services.GetRequiredService<ApiKeyService>();
        var actor = new AuditActor("auditor", "192.0.2.1");

        await OneEntryAsync(AuditActions.CreateUser, () => users.CreateAsync("audited", Sessions.Password, Roles.Viewer, actor));
        var id = (await users.ListAsync(CancellationToken.None)).Single(u => u.UserName == "audited").Id;
        await OneEntryAsync(AuditActions.SetRole, () => users.SetRoleAsync(id, Roles.Operator, actor));
        await OneEntryAsync(AuditActions.ResetPassword, () => users.ResetPasswordAsync(id, "Another-Password-42", actor));
        await OneEntryAsync(AuditActions.Login, () => LoginForm.PostAsync(factory.CreateAnonymousClient(), "audited", "Another-Password-42"));
        await OneEntryAsync(AuditActions.LoginFailed, () => LoginForm.PostAsync(factory.CreateAnonymousClient(), "audited", "wrong-password"));
        await OneEntryAsync(AuditActions.DeleteUser, () => users.DeleteAsync(id, actor));

        CreatedApiKey? key = null;
        await OneEntryAsync(AuditActions.CreateApiKey, async () => key = await keys.CreateAsync("audited-key", Roles.Viewer, "auditor", CancellationToken.None));
        await OneEntryAsync(AuditActions.RevokeApiKey, () => keys.RevokeAsync(key!.Entity.Id, "auditor", CancellationToken.None));

        var login = (await Audit.QueryAsync(new AuditQuery(Action: AuditActions.Login, Actor: "audited"), CancellationToken.None)).Entries.Single();
        Assert.True(login.Success);
        var all = string.Join("\n", (await Audit.QueryAsync(new AuditQuery(Take: 1000), CancellationToken.None)).Entries.Select(e => e.Detail + " " + e.Result));
        Assert.DoesNotContain("Another-Password-42", all); // never a password
        Assert.DoesNotContain(key!.PlainTextKey, all);
    }

    [Fact]
    public async Task Shutdown_all_force_cleanup_cleanup_all_and_automatic_restarts_leave_one_entry_each()
    {
        var admin = await Sessions.ApiKeyClientAsync(factory, Roles.Admin);
        var first = await CreateAsync(admin, "audit-a", ["/bin/sh", "-c", "while :; do sleep 1; done"]);
        var second = await CreateAsync(admin, "audit-b", ["/bin/sh", "-c", "while :; do sleep 1; done"]);
        foreach (var id in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
            await DaemonSurvivalTests.WaitForStateAsync(admin, id, ServerState.Running);
        }

        await OneEntryAsync(AuditActions.ShutdownAll, () => admin.PostAsync("/api/v1/servers/shutdown-all", null));
        Assert.Equal(0, await CountAsync(AuditActions.Stop)); // the stops inside are part of that one entry

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{first}/start", null)).StatusCode);
        var running = await DaemonSurvivalTests.WaitForStateAsync(admin, first, ServerState.Running);
        await OneEntryAsync(AuditActions.ForceCleanup, async () =>
            Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/v1/processes/{running.Pid}")).StatusCode));

        await OneEntryAsync(AuditActions.CleanupAll, () => admin.PostAsync("/api/v1/processes/cleanup?mode=all", null));

        // Fails once (exit 3), then runs: exactly one automatic restart.
        var marker = temp.Combine("ran-once");
        var flaky = await CreateAsync(admin, "audit-flaky", ["/bin/sh", "-c", $"if [ -f {marker} ]; then while :; do sleep 1; done; fi; touch {marker}; exit 3"],
            RestartPolicy.OnFailure);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{flaky}/start", null)).StatusCode);
        await Eventually.ReturnsAsync(() => CountAsync(AuditActions.AutoRestart), n => n >= 1, TimeSpan.FromSeconds(30), "the automatic restart entry");
        await DaemonSurvivalTests.WaitForStateAsync(admin, flaky, ServerState.Running);
        var restart = (await Audit.QueryAsync(new AuditQuery(Action: AuditActions.AutoRestart), CancellationToken.None)).Entries.Single();
        Assert.Equal("system", restart.Actor);
        Assert.Equal(flaky, restart.ServerId);
        await admin.PostAsync($"/api/v1/servers/{flaky}/kill", null);
    }

    [Fact]
    public async Task Power_actions_and_definition_changes_through_the_api_leave_one_entry_each()
    {
        var admin = await Sessions.ApiKeyClientAsync(factory, Roles.Admin);
        var id = 0;
        await OneEntryAsync(AuditActions.CreateServer, async () => id = await CreateAsync(admin, "audit-power", ["/bin/sh", "-c", "while :; do sleep 1; done"]));

        await OneEntryAsync(AuditActions.Start, async () =>
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode));
        await DaemonSurvivalTests.WaitForStateAsync(admin, id, ServerState.Running);
        await OneEntryAsync(AuditActions.Restart, async () =>
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{id}/restart?wait=true", null)).StatusCode));
        await DaemonSurvivalTests.WaitForStateAsync(admin, id, ServerState.Running);
        await OneEntryAsync(AuditActions.Stop, async () =>
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{id}/stop?wait=true", null)).StatusCode));
        // The restart's own start is part of its one entry.
        Assert.Equal(1, (await Audit.QueryAsync(new AuditQuery(ServerId: id, Action: AuditActions.Start), CancellationToken.None)).Total);

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{id}/start", null)).StatusCode);
        await DaemonSurvivalTests.WaitForStateAsync(admin, id, ServerState.Running);
        await OneEntryAsync(AuditActions.Kill, async () =>
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/servers/{id}/kill", null)).StatusCode));

        // A refusal is recorded too (once), an unknown server not at all.
        await OneEntryAsync(AuditActions.Kill, async () =>
            Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/servers/{id}/kill", null)).StatusCode));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/servers/999999/start", null)).StatusCode);

        var model = (await admin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{id}", JsonDefaults.Options))!;
        model.Notes = "changed";
        await OneEntryAsync(AuditActions.UpdateServer, async () =>
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/v1/servers/{id}", model, JsonDefaults.Options)).StatusCode));
        await OneEntryAsync(AuditActions.DeleteServer, async () =>
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/servers/{id}")).StatusCode));

        var entries = (await Audit.QueryAsync(new AuditQuery(ServerId: id, Take: 1000), CancellationToken.None)).Entries;
        Assert.Equal(9, entries.Count); // create, start, restart, stop, start, kill, refused kill, update, delete
        Assert.All(entries, e =>
        {
            Assert.StartsWith("apikey:", e.Actor);
            Assert.False(string.IsNullOrEmpty(e.SourceIp));
            Assert.Equal("audit-power", e.ServerName);
        });
        Assert.Contains("not running", entries.Single(e => e.Action == AuditActions.Kill && !e.Success).Result);
        Assert.Equal("deleted", entries.Single(e => e.Action == AuditActions.DeleteServer).Result);
    }

    private async Task<int> CreateAsync(HttpClient admin, string name, List<string> command, RestartPolicy policy = RestartPolicy.No)
    {
        var model = ServerRequests.Valid(name);
        model.Command = command;
        model.WorkingDirectory = "";
        model.LogFiles = [];
        model.ReadyPattern = null;
        model.Port = null;
        model.RestartPolicy = policy;
        var created = await admin.PostAsJsonAsync("/api/v1/servers", model, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
    }

    private async Task OneEntryAsync(string action, Func<Task> act)
    {
        var before = await CountAsync(action);
        await act();
        Assert.Equal(before + 1, await CountAsync(action));
    }

    private async Task<int> CountAsync(string action) =>
        (await Audit.QueryAsync(new AuditQuery(Action: action), CancellationToken.None)).Total;

    public void Dispose() => temp.Dispose();
}
