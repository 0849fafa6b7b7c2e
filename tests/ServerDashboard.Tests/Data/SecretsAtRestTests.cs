using ServerDashboard.Auth;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Data;

/// <summary>The database copy of an RCON password is protected with Data Protection; a copy of the database alone does not reveal it.</summary>
public sealed class SecretsAtRestTests : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory;

    public SecretsAtRestTests(DashboardFactoryFixture fixture) => factory = fixture.Factory;

    [Fact]
    public async Task The_rcon_password_is_not_stored_in_plain_text_but_reads_back_for_admins()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var request = ServerRequests.Valid("at-rest", rcon: true);
        request.Rcon.Password = "plain-secret-xyz-42";
        var created = (await (await admin.PostAsJsonAsync("/api/v1/servers", request, JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!;

        var stored = await RawPasswordAsync(created.Id!.Value);

        Assert.StartsWith("dp1:", stored);
        Assert.DoesNotContain("plain-secret-xyz-42", stored);
        var fetched = (await admin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{created.Id}", JsonDefaults.Options))!;
        Assert.Equal("plain-secret-xyz-42", fetched.Rcon.Password);
    }

    [Fact]
    public async Task A_password_stored_before_protection_still_reads_and_is_protected_on_its_next_save()
    {
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = (await (await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid("legacy-row", rcon: true), JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!;
        await TestStore.ExecuteSqlAsync(factory.Services, $"""UPDATE "Servers" SET "RconPassword" = 'legacy-pass-123' WHERE "Id" = {created.Id}""");

        var fetched = (await admin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{created.Id}", JsonDefaults.Options))!;
        Assert.Equal("legacy-pass-123", fetched.Rcon.Password);

        fetched.Notes = "saved again";
        (await admin.PutAsJsonAsync($"/api/v1/servers/{created.Id}", fetched, JsonDefaults.Options)).EnsureSuccessStatusCode();
        Assert.StartsWith("dp1:", await RawPasswordAsync(created.Id!.Value));
    }

    private async Task<string> RawPasswordAsync(int id) =>
        (string)(await TestStore.ScalarAsync(factory.Services, $"""SELECT "RconPassword" FROM "Servers" WHERE "Id" = {id}"""))!;
}
