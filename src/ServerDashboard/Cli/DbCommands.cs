using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Hosting;
using ServerDashboard.Processes;

namespace ServerDashboard.Cli;

/// <summary><c>db copy --to "&lt;connection string&gt;" [--force]</c>: moves a SQLite install's store into PostgreSQL.</summary>
public static class DbCommands
{
    public const int TargetNotEmptyExitCode = 5; // as a job name conflict

    public static Command Create(Option<string?> dataDir)
    {
        var to = new Option<string>("--to")
        {
            Description = "PostgreSQL connection string of the target, e.g. \"Host=127.0.0.1;Database=serverdashboard;Username=sd;Password=...\"",
            Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Replace what the target database already holds (default: refuse a non-empty target)" };

        var copy = new Command("copy", "Copy the data directory's SQLite store (all tables) into a PostgreSQL database. Stop the dashboard first.") { to, force };
        copy.SetAction((result, cancellationToken) => CopyAsync(DataDirectoryOf(result.GetValue(dataDir)), result.GetValue(to)!, result.GetValue(force), cancellationToken));
        return new Command("db", "Manage the dashboard's store") { copy };
    }

    private static async Task<int> CopyAsync(string dataDirectoryPath, string connectionString, bool force, CancellationToken cancellationToken)
    {
        var data = new DataDirectory(dataDirectoryPath);
        if (!File.Exists(data.DatabaseFile))
        {
            await Console.Error.WriteLineAsync($"No SQLite store to copy: {data.DatabaseFile} does not exist (wrong --data-dir?).");
            return 1;
        }

        DashboardStore source, target;
        try
        {
            source = DashboardStore.FromConfiguration(new ConfigurationBuilder().Build(), data);
            target = DashboardStore.ForPostgreSql(connectionString, "--to");
        }
        catch (InvalidConfigurationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return DashboardCli.ConfigurationErrorExitCode;
        }

        try
        {
            // The dashboard's own lock: a running dashboard would keep writing to the SQLite store after the copy's snapshot.
            using var instanceLock = SingleInstanceLock.Acquire(data.Path, [], HealthVersion.Current);
            await using (var sourceDb = source.Create(source.BuildOptions(null, null), null))
            {
                // The source must have this version's schema, as it would after starting this version once.
                await sourceDb.Database.MigrateAsync(cancellationToken);
            }

            await new StoreCopier(source, target, Console.Out).CopyAsync(force, cancellationToken);
            await Console.Out.WriteLineAsync(
                $"Done. To run on PostgreSQL, set {DashboardStore.ProviderKey}=PostgreSql and {DashboardStore.ConnectionStringKey} " +
                "(ConnectionStrings__Dashboard) to this connection string, keep the data directory (its keys decrypt the stored secrets), and start the dashboard.");
            return 0;
        }
        catch (DashboardAlreadyRunningException ex)
        {
            await Console.Error.WriteLineAsync($"{ex.Message} Stop the dashboard before copying its store.");
            return DashboardCli.AlreadyRunningExitCode;
        }
        catch (StoreNotEmptyException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return TargetNotEmptyExitCode;
        }
        catch (StoreUnavailableException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return ex.IsConfigurationError ? DashboardCli.ConfigurationErrorExitCode : DashboardCli.StoreUnavailableExitCode;
        }
        catch (Npgsql.PostgresException ex)
        {
            // A value the target refuses (e.g. longer than its column allows): nothing was committed.
            await Console.Error.WriteLineAsync($"The copy failed and was rolled back: {ex.MessageText} (SQLSTATE {ex.SqlState}{(ex.TableName is { } t ? $", table {t}" : "")}).");
            return 1;
        }
    }

    /// <summary>--data-dir, else Dashboard__DataDirectory from the environment, else ./data (as the instance commands).</summary>
    private static string DataDirectoryOf(string? option) =>
        Path.GetFullPath(option ?? Environment.GetEnvironmentVariable("Dashboard__DataDirectory") ?? new DashboardOptions().DataDirectory);
}
