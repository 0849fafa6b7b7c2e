using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Components.Pages;
using ServerDashboard.Components.Servers;
using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Components.Servers;

/// <summary>The server form against the real catalog and validator (SQLite in a temp dir).</summary>
public sealed class ServerFormTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    public ServerFormTests() => ctx.LogInAs("admin", Roles.Admin);

    [Fact]
    public void Saving_an_empty_name_and_a_missing_program_shows_both_messages_beside_their_fields()
    {
        var state = new ServerFormState(new ServerModel { Name = "", Command = ["/no/such/program"] });
        var cut = RenderForm(state);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Name is required.", cut.Find("[data-testid='error-name']").TextContent);
            Assert.Contains("/no/such/program", cut.Find("[data-testid='error-command']").TextContent);
            Assert.Contains("Please fix 2 fields", cut.Find("[data-testid=form-errors]").TextContent);
        });
    }

    [Fact]
    public async Task A_duplicate_name_and_a_port_clash_are_reported_and_nothing_is_saved()
    {
        var catalog = ctx.Services.GetRequiredService<ServerCatalog>();
        await catalog.CreateAsync(new ServerModel { Name = "taken", Command = ["/bin/sh"], Port = 40001 }, CancellationToken.None);
        var state = new ServerFormState(new ServerModel { Name = "TAKEN", Command = ["/bin/sh"], Port = 40001 });
        var cut = RenderForm(state);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("already exists", cut.Find("[data-testid='error-name']").TextContent);
            Assert.Contains("already used by server 'taken'", cut.Find("[data-testid='error-port']").TextContent);
        });
        Assert.Single(await catalog.ListAsync(CancellationToken.None));
    }

    [Fact]
    public void One_argument_per_line_becomes_the_argv_and_environment_rows_become_variables()
    {
        var state = new ServerFormState(new ServerModel { Name = "lines" });
        state.CommandLines = "/bin/sh\n-c\nsleep  1000 \n\n";
        state.Environment.Add(new ServerFormState.EnvironmentRow { Key = "TOKEN", Value = "s3cret", Secret = true });

        var model = state.ToModel();

        Assert.Equal(["/bin/sh", "-c", "sleep  1000 "], model.Command);
        Assert.Equal("s3cret", model.Environment["TOKEN"]);
        Assert.Equal(["TOKEN"], model.SecretEnvironmentKeys);
    }

    [Fact]
    public void The_sample_template_pre_fills_name_command_ports_and_rcon()
    {
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("servers/new?template=sample");

        var cut = ctx.Render<ServerEdit>();

        cut.WaitForAssertion(() => Assert.Equal("sample", cut.Find("input[data-testid=field-name]").GetAttribute("value")));
        Assert.Contains("SampleGameServer", cut.Find("textarea[data-testid=field-command]").TextContent + cut.Find("textarea[data-testid=field-command]").GetAttribute("value"));
        Assert.Equal("25565", NumericValue(cut, "field-port"));
        Assert.Equal("25575", NumericValue(cut, "field-rcon-port"));
        Assert.Contains("Sample game server", cut.Find("[data-testid=form-source]").TextContent);
    }

    /// <summary>RadzenNumeric puts the test id on its wrapper or on its input, depending on the version.</summary>
    private static string? NumericValue(IRenderedComponent<ServerEdit> cut, string testId)
    {
        var element = cut.Find($"[data-testid={testId}]");
        var input = element.TagName == "INPUT" ? element : element.QuerySelector("input");
        return input?.GetAttribute("value");
    }

    private IRenderedComponent<ServerForm> RenderForm(ServerFormState state)
    {
        var catalog = ctx.Services.GetRequiredService<ServerCatalog>();
        Func<ServerModel, Task<IReadOnlyDictionary<string, List<string>>>> save = async model =>
        {
            var result = await catalog.CreateAsync(model, CancellationToken.None);
            return result.Errors.Fields;
        };
        return ctx.Render<ServerForm>(p => p.Add(f => f.State, state).Add(f => f.OnSave, save));
    }

    public void Dispose() => ctx.Dispose();
}
