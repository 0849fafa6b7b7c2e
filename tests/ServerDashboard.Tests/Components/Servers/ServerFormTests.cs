using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Components.Pages;
using ServerDashboard.Components.Servers;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Infrastructure;

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
            Assert.Contains("Nothing was saved", cut.Find("[data-testid=form-errors]").TextContent);
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

        cut.WaitForAssertion(() => Assert.Equal("sample", NumericValue(cut, "field-name")));
        var command = cut.Find("[data-testid=field-command]");
        var textarea = command.TagName == "TEXTAREA" ? command : command.QuerySelector("textarea")!;
        Assert.Contains("SampleGameServer", textarea.TextContent + textarea.GetAttribute("value"));
        Assert.Equal("25565", NumericValue(cut, "field-port"));
        Assert.Equal("25575", NumericValue(cut, "field-rcon-port"));
        Assert.Contains("Sample game server", cut.Find("[data-testid=form-source]").TextContent);
    }

    [Theory]
    [InlineData("70000", "Port must be between 1 and 65535.")]
    [InlineData("-5", "Port must be between 1 and 65535.")]
    [InlineData("0", "Port must be between 1 and 65535.")]
    [InlineData("abc", "The port must be a whole number (got \"abc\").")]
    [InlineData("25565.5", "The port must be a whole number (got \"25565.5\").")]
    public async Task A_port_out_of_range_or_not_a_number_is_refused_beside_the_field_and_nothing_is_saved(string typed, string message)
    {
        var state = new ServerFormState(new ServerModel { Name = "ported", Command = ["/bin/sh"] }) { PortText = typed };
        var cut = RenderForm(state);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal(message, cut.Find("[data-testid='error-port']").TextContent));
        Assert.Equal(typed, state.PortText); // what the user typed stays in the field: no clamping
        Assert.Empty(await ctx.Services.GetRequiredService<ServerCatalog>().ListAsync(CancellationToken.None));
    }

    [Fact]
    public void A_typed_rcon_port_that_is_not_a_number_is_refused_beside_its_own_field()
    {
        var state = new ServerFormState(new ServerModel { Name = "r", Command = ["/bin/sh"], Rcon = new RconModel { Enabled = true } }) { RconPortText = "x1" };
        var cut = RenderForm(state);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("whole number", cut.Find("[data-testid='error-rcon.port']").TextContent));
        Assert.Empty(cut.FindAll("[data-testid='error-port']"));
    }

    [Fact]
    public void Environment_variable_names_keep_their_underscores_in_the_form_and_in_the_model()
    {
        var state = new ServerFormState(new ServerModel
        {
            Name = "env",
            Environment = new Dictionary<string, string?> { ["RCON_PASSWORD"] = "x", ["JAVA_OPTS__EXTRA"] = "-Xmx1G" },
        });
        var cut = RenderForm(state);

        var names = cut.FindAll("[data-testid=env-name]").Select(e => (e.TagName == "INPUT" ? e : e.QuerySelector("input"))!.GetAttribute("value")).ToList();

        Assert.Equal(["RCON_PASSWORD", "JAVA_OPTS__EXTRA"], names);
        Assert.Equal(["RCON_PASSWORD", "JAVA_OPTS__EXTRA"], state.ToModel().Environment.Keys);
    }

    [Fact]
    public async Task The_supervision_and_backup_fields_are_in_the_form_with_help_text_and_are_saved()
    {
        var state = new ServerFormState(new ServerModel { Name = "supervised", Command = ["/bin/sh"] })
        {
            StartupTimeoutText = "45",
            BackupPathLines = "world\nserver.properties\n",
        };
        state.Model.RestartOnUnhealthy = true;
        state.Model.Backup.StopServer = true;
        var cut = RenderForm(state);

        foreach (var field in new[] { "field-startup-timeout", "field-restart-on-unhealthy", "field-backup-paths", "field-backup-stop" })
        {
            Assert.NotNull(cut.Find($"[data-testid={field}]"));
        }

        Assert.Contains("Seconds to become ready", cut.Markup);
        Assert.Contains("flagged Unhealthy", cut.Markup);
        Assert.Contains("a path that passes through a link is refused", cut.Markup);
        cut.Find("form").Submit();

        var saved = await Eventually.ReturnsAsync(async () => await ctx.Services.GetRequiredService<ServerCatalog>().ListAsync(CancellationToken.None),
            list => list.Count == 1, TimeSpan.FromSeconds(10), "the server to be saved");
        var model = ServerMapper.ToModel(saved[0], includeSecrets: true);
        Assert.Equal(45, model.StartupTimeoutSeconds);
        Assert.True(model.RestartOnUnhealthy);
        Assert.Equal(["world", "server.properties"], model.Backup.Paths);
        Assert.True(model.Backup.StopServer);
        Assert.Equal("45", new ServerFormState(model).StartupTimeoutText); // and back into the form for an edit
        Assert.Equal("world\nserver.properties", new ServerFormState(model).BackupPathLines);
    }

    [Theory]
    [InlineData("abc", "", "startupTimeoutSeconds", "The startup timeout must be a whole number")]
    [InlineData("0", "", "startupTimeoutSeconds", "")]
    [InlineData("", "../etc", "backup.paths", "must be relative to the server's directory")]
    public async Task A_bad_startup_timeout_or_backup_path_is_refused_beside_its_field(string timeout, string paths, string field, string message)
    {
        var state = new ServerFormState(new ServerModel { Name = "bad", Command = ["/bin/sh"] }) { StartupTimeoutText = timeout, BackupPathLines = paths };
        var cut = RenderForm(state);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(message, cut.Find($"[data-testid='error-{field}']").TextContent));
        Assert.Empty(await ctx.Services.GetRequiredService<ServerCatalog>().ListAsync(CancellationToken.None));
    }

    /// <summary>The value of a MudTextField's input, found by the test id MudBlazor passes to it.</summary>
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
