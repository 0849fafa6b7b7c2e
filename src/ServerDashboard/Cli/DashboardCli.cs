using System.CommandLine;
using ServerDashboard.Hosting;
using ServerDashboard.Processes;

namespace ServerDashboard.Cli;

/// <summary>
/// The command line: <c>ServerDashboard [serve]</c> runs the web app; <c>apikey create</c> and later commands act on a data
/// directory directly. Options the CLI does not know (e.g. <c>--environment</c>) are passed through to ASP.NET Core.
/// </summary>
public static class DashboardCli
{
    public const int AlreadyRunningExitCode = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "Data directory (database, logs, PID files). Default: Dashboard:DataDirectory, else ./data",
            Recursive = true,
        };
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on (default http://127.0.0.1:5080)" };

        var serve = new Command("serve", "Run the dashboard web app (the default command)") { urls };
        serve.TreatUnmatchedTokensAsErrors = false;
        serve.SetAction((result, cancellationToken) => ServeAsync(result, dataDir, urls, cancellationToken));

        var root = new RootCommand("ServerDashboard: a real-time web dashboard for game servers and other long-running processes.")
        {
            dataDir,
            urls,
            serve,
            ApiKeyCommands.Create(dataDir),
            InstanceCommands.Status(dataDir),
            InstanceCommands.Stop(dataDir),
            BackupCommands.Create(dataDir),
        };
        foreach (var command in JobCommands.Create(dataDir))
        {
            root.Subcommands.Add(command);
        }

        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((result, cancellationToken) => ServeAsync(result, dataDir, urls, cancellationToken));
        // Exceptions propagate: the host's own abort signals (used by dotnet-ef and the test host) must not be swallowed.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    private static async Task<int> ServeAsync(ParseResult result, Option<string?> dataDir, Option<string?> urls, CancellationToken cancellationToken)
    {
        var passThrough = result.UnmatchedTokens.ToList();
        if (result.GetValue(urls) is { } listen)
        {
            passThrough.Add($"--urls={listen}");
        }

        var app = DashboardHost.Build([.. passThrough], result.GetValue(dataDir));
        try
        {
            await app.RunAsync(cancellationToken);
            return 0;
        }
        catch (DashboardAlreadyRunningException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return AlreadyRunningExitCode;
        }
    }
}
