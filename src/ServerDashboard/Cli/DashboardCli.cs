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

    /// <summary>EX_CONFIG from sysexits.h: a unit can say <c>RestartPreventExitStatus=78</c> so systemd does not loop on it.</summary>
    public const int ConfigurationErrorExitCode = 78;

    /// <summary>EX_UNAVAILABLE: the PostgreSQL server did not answer. Not 78: systemd's Restart=on-failure should retry, since
    /// the database may simply start later than the dashboard after a reboot.</summary>
    public const int StoreUnavailableExitCode = 69;

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
            PortsCommands.Create(dataDir),
            BackupCommands.Create(dataDir),
            DbCommands.Create(dataDir),
        };
        foreach (var command in JobCommands.Create(dataDir))
        {
            root.Subcommands.Add(command);
        }

        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((result, cancellationToken) => ServeAsync(result, dataDir, urls, cancellationToken));
        // Exceptions propagate: the host's own abort signals (used by dotnet-ef and the test host) must not be swallowed.
        // ProcessTerminationTimeout = null: System.CommandLine's own SIGTERM/SIGINT handling gives the action 2 s and then
        // exits with 143, which cut the dashboard's graceful shutdown short (servers not all stopped, run state not
        // flushed, lock not released). The web host's console lifetime handles those signals and waits for shutdown.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    private static async Task<int> ServeAsync(ParseResult result, Option<string?> dataDir, Option<string?> urls, CancellationToken cancellationToken)
    {
        var passThrough = result.UnmatchedTokens.ToList();
        if (result.GetValue(urls) is { } listen)
        {
            passThrough.Add($"--urls={listen}");
        }

        WebApplication app;
        try
        {
            app = DashboardHost.Build([.. passThrough], result.GetValue(dataDir));
        }
        catch (InvalidConfigurationException ex)
        {
            return await ConfigurationErrorAsync(ex.Message);
        }

        try
        {
            await Data.StoreStartup.ProbeAsync(app.Services.GetRequiredService<Data.DashboardStore>(), cancellationToken);
            await app.RunAsync(cancellationToken);
            return 0;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            return await ConfigurationErrorAsync(string.Join(Environment.NewLine, ex.Failures));
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The binder's own message names the key and the type ("... at 'Dashboard:Monitoring:IntervalSeconds' to type 'System.Int32'").
            return await ConfigurationErrorAsync(ex.Message);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is Microsoft.Extensions.Options.OptionsValidationException))
        {
            // ValidateOnStart reports several invalid option classes at once this way.
            return await ConfigurationErrorAsync(string.Join(Environment.NewLine,
                ex.InnerExceptions.Cast<Microsoft.Extensions.Options.OptionsValidationException>().SelectMany(e => e.Failures)));
        }
        catch (InvalidConfigurationException ex)
        {
            // Found when a service is first resolved (Dashboard:Database:Provider, ConnectionStrings:Dashboard).
            return await ConfigurationErrorAsync(ex.Message);
        }
        catch (Data.StoreUnavailableException ex)
        {
            if (ex.IsConfigurationError)
            {
                return await ConfigurationErrorAsync(ex.Message);
            }

            await Console.Error.WriteLineAsync("ServerDashboard cannot start: the database is unavailable." + Environment.NewLine + ex.Message);
            return StoreUnavailableExitCode;
        }
        catch (DashboardAlreadyRunningException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return AlreadyRunningExitCode;
        }
    }

    private static async Task<int> ConfigurationErrorAsync(string message)
    {
        await Console.Error.WriteLineAsync("ServerDashboard cannot start: invalid configuration." + Environment.NewLine + message);
        return ConfigurationErrorExitCode;
    }
}
