using System.Net;
using ServerDashboard.Auth;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Api;

public sealed class ApiAuthorizationTests : IClassFixture<DashboardFactoryFixture>
{
    private readonly DashboardFactory factory;

    public ApiAuthorizationTests(DashboardFactoryFixture fixture) => factory = fixture.Factory;

    [Fact]
    public async Task Health_is_anonymous()
    {
        var response = await factory.CreateAnonymousClient().GetAsync("/api/v1/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"status\":\"Healthy\"", body);
    }

    [Theory]
    [InlineData("GET", "/api/v1/servers")]
    [InlineData("POST", "/api/v1/servers")]
    [InlineData("GET", "/api/v1/servers/1")]
    [InlineData("PUT", "/api/v1/servers/1")]
    [InlineData("DELETE", "/api/v1/servers/1")]
    [InlineData("GET", "/api/v1/server-templates")]
    [InlineData("GET", "/openapi/v1.json")]
    public async Task Api_endpoints_answer_401_without_credentials(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        var response = await factory.CreateAnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/servers")]
    [InlineData("/servers/new")]
    [InlineData("/processes")]
    [InlineData("/settings")]
    [InlineData("/users")]
    public async Task Pages_redirect_to_the_login_page_without_credentials(string path)
    {
        var response = await factory.CreateAnonymousClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hub_negotiation_answers_401_without_credentials()
    {
        var response = await factory.CreateAnonymousClient().PostAsync("/_blazor/negotiate?negotiateVersion=1", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_api_key_is_rejected()
    {
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, "sdk_abcdefgh_not-a-real-key");

        var response = await client.GetAsync("/api/v1/servers");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(Roles.Viewer, HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData(Roles.Operator, HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData(Roles.Admin, HttpStatusCode.OK, HttpStatusCode.Created)]
    public async Task Api_keys_are_authorized_by_their_role(string role, HttpStatusCode listStatus, HttpStatusCode createStatus)
    {
        var client = await factory.CreateClientWithRoleAsync(role);

        var list = await client.GetAsync("/api/v1/servers");
        var create = await client.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid($"auth-{role}"), JsonDefaults.Options);

        Assert.Equal(listStatus, list.StatusCode);
        Assert.Equal(createStatus, create.StatusCode);
    }

    [Fact]
    public async Task Static_assets_and_the_blazor_script_are_anonymous()
    {
        var client = factory.CreateAnonymousClient();

        var script = await client.GetAsync("/_framework/blazor.web.js");
        var mudScript = await client.GetAsync("/_content/MudBlazor/MudBlazor.min.js");
        var mudStyles = await client.GetAsync("/_content/MudBlazor/MudBlazor.min.css");
        var appStyles = await client.GetAsync("/css/app.css"); // the login page needs it before anyone is logged in
        var login = await client.GetAsync("/account/login");

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Blazor", await script.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, mudScript.StatusCode);
        Assert.Equal(HttpStatusCode.OK, mudStyles.StatusCode);
        Assert.Equal(HttpStatusCode.OK, appStyles.StatusCode);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task The_top_level_wwwroot_is_served()
    {
        var repoFile = Path.Combine(RepositoryRoot.Path, "wwwroot", "lib", "xterm", "xterm.css");
        var response = await factory.CreateAnonymousClient().GetAsync("/lib/xterm/xterm.css");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await File.ReadAllTextAsync(repoFile), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_servers_api()
    {
        var client = await factory.CreateClientWithRoleAsync(Roles.Viewer);

        var document = await client.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/v1/servers/{id}", document);
        Assert.Contains("/api/v1/health", document);
    }
}
