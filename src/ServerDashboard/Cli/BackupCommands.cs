using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerDashboard.Hosting;
using ServerDashboard.Jobs;
using ServerDashboard.Rcon;
using ServerDashboard.Servers;

namespace ServerDashboard.Cli;

/// <summary>
/// <c>backup create --server ID</c>: archives the server's directory to <c>&lt;backup-dir&gt;/&lt;id&gt;/&lt;timestamp&gt;.tar.gz</c>
/// printing <c>##progress</c> lines (by bytes), with the configured console commands over RCON before and after
/// (<c>save-off</c>, <c>save-all flush</c> / <c>save-on</c>) when the server has RCON, then keeps the newest N archives.
/// The dashboard runs it as a detached job; it works alone too. Exit 0 written, 1 unknown server, 2 failed.
/// </summary>
public static class BackupCommands
{
    public static Command Create(Option<string?> dataDir)
    {
        var server = new Option<int>("--server") { Description = "The server's id", Required = true };
        var backupDir = new Option<string?>("--backup-dir") { Description = "Where archives go (default Dashboard:Jobs:BackupDirectory, else <data-dir>/backups)" };
        var keep = new Option<int?>("--keep") { Description = "How many archives to keep per server (default Dashboard:Jobs:BackupRetention, 5)" };
        var noCommands = new Option<bool>("--no-save-commands") { Description = "Do not send the save commands over RCON" };
        var sourceDir = new Option<string?>("--source") { Description = "The directory to archive (default: the server's, from its definition)" };
        var rconPort = new Option<int?>("--rcon-port") { Description = $"RCON port for the save commands, with the password in ${BackupService.BackupRconPasswordVariable} (default: from the definition)" };
        var create = new Command("create", "Archive a server's directory (.tar.gz) with ##progress lines") { server, backupDir, keep, noCommands, sourceDir, rconPort };
        create.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await DashboardHost.BuildOfflineServicesAsync(result.GetValue(dataDir), cancellationToken);
            var options = services.GetRequiredService<IOptions<JobOptions>>().Value;
            var data = services.GetRequiredService<DataDirectory>();
            int serverId = result.GetValue(server);
            string label = $"server {serverId}";
            string source;
            RconTarget? rcon = null;
            if (result.GetValue(sourceDir) is { } given)
            {
                // Started by the dashboard: it handed over what the definition says (and the password in the environment).
                source = Path.GetFullPath(given);
                if (result.GetValue(rconPort) is { } port && Environment.GetEnvironmentVariable(BackupService.BackupRconPasswordVariable) is { Length: > 0 } password)
                {
                    rcon = new RconTarget("127.0.0.1", port, password);
                }
            }
            else
            {
                var definition = await services.GetRequiredService<ServerCatalog>().GetAsync(serverId, cancellationToken);
                if (definition is null)
                {
                    await Console.Error.WriteLineAsync($"No server with id {serverId}.");
                    return 1;
                }

                label = definition.Name;
                source = BackupService.SourceDirectoryOf(definition, data.Path);
                rcon = await services.GetRequiredService<RconTargets>().FindAsync(serverId, cancellationToken);
            }

            if (result.GetValue(noCommands))
            {
                rcon = null;
            }

            if (!Directory.Exists(source))
            {
                await Console.Error.WriteLineAsync($"The server's directory {source} does not exist.");
                return 2;
            }

            string root = result.GetValue(backupDir) is { } dir ? Path.GetFullPath(dir) : BackupService.BackupRootOf(options, data.Path);
            string target = Path.Combine(root, serverId.ToString(CultureInfo.InvariantCulture), BackupArchive.TimestampName(DateTimeOffset.UtcNow));
            Console.Out.WriteLine($"##progress 0 preparing backup of {label}");
            if (rcon is not null)
            {
                await SendAsync(rcon, options.BackupPreCommands, cancellationToken);
            }

            try
            {
                int lastPercent = -1;
                long size = await BackupArchive.CreateAsync(source, target, (done, total, name) =>
                {
                    int percent = total == 0 ? 100 : (int)(done * 99 / total); // 100 only once the archive is complete
                    if (percent != lastPercent)
                    {
                        lastPercent = percent;
                        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"##progress {percent} {name}"));
                    }
                }, cancellationToken);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Backup written: {target} ({size} bytes)"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"Backup failed: {ex.Message}");
                File.Delete(target + ".partial");
                return 2;
            }
            finally
            {
                if (rcon is not null)
                {
                    await SendAsync(rcon, options.BackupPostCommands, CancellationToken.None);
                }
            }

            foreach (var deleted in BackupService.ApplyRetention(Path.GetDirectoryName(target)!, result.GetValue(keep) ?? options.BackupRetention))
            {
                Console.Out.WriteLine($"Retention: deleted {deleted}");
            }

            Console.Out.WriteLine("##progress 100 done");
            return 0;
        });

        return new Command("backup", "Server backups") { create };
    }

    /// <summary>Best effort: a server that is down or refuses RCON is backed up anyway (its files are at rest then).</summary>
    private static async Task SendAsync(RconTarget target, IReadOnlyList<string> commands, CancellationToken cancellationToken)
    {
        if (commands.Count == 0)
        {
            return;
        }

        try
        {
            await using var client = new RconClient();
            await client.ConnectAsync(target.Host, target.Port, target.Password, cancellationToken);
            foreach (var command in commands)
            {
                var reply = await client.ExecuteAsync(command, TimeSpan.FromSeconds(30), cancellationToken);
                Console.Out.WriteLine($"rcon> {command}: {reply.Text.Trim()}");
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException or RconException or OperationCanceledException)
        {
            Console.Out.WriteLine($"rcon: could not send [{string.Join(", ", commands)}] ({ex.Message}); continuing");
        }
    }
}
