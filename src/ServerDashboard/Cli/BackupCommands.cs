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
        var paths = new Option<string[]>("--path") { Description = "A path to archive, relative to the server's directory (repeatable; default: the definition's backup paths, else everything)" };
        var waitStopped = new Option<string?>("--wait-stopped") { Description = "PID:STARTTIME of the server's process: wait until it is gone first (a stop-first backup)" };
        var waitTimeout = new Option<int>("--wait-timeout") { Description = "Seconds to wait for --wait-stopped (default 120)", DefaultValueFactory = _ => 120 };
        var create = new Command("create", "Archive a server's directory (.tar.gz) with ##progress lines") { server, backupDir, keep, noCommands, sourceDir, rconPort, paths, waitStopped, waitTimeout };
        create.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await DashboardHost.BuildOfflineServicesAsync(result.GetValue(dataDir), cancellationToken);
            var options = services.GetRequiredService<IOptions<JobOptions>>().Value;
            var data = services.GetRequiredService<DataDirectory>();
            int serverId = result.GetValue(server);
            string label = $"server {serverId}";
            string source;
            RconTarget? rcon = null;
            IReadOnlyList<string> selected = result.GetValue(paths) ?? [];
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
                selected = selected.Count > 0 ? selected : definition.BackupPaths;
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
            if (result.GetValue(waitStopped) is { } process)
            {
                if (!await WaitStoppedAsync(services.GetRequiredService<Processes.ProcFs>(), process, TimeSpan.FromSeconds(result.GetValue(waitTimeout)), cancellationToken))
                {
                    return 2;
                }
            }

            Console.Out.WriteLine($"##progress 0 preparing backup of {label}{(selected.Count > 0 ? $" ({string.Join(", ", selected)})" : "")}");
            if (rcon is not null)
            {
                await SendAsync(rcon, options.BackupPreCommands, cancellationToken);
            }

            try
            {
                int lastPercent = -1;
                long size = await BackupArchive.CreateAsync(source, selected, target, (done, total, name) =>
                {
                    int percent = total == 0 ? 100 : (int)(done * 99 / total); // 100 only once the archive is complete
                    if (percent != lastPercent)
                    {
                        lastPercent = percent;
                        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"##progress {percent} {name}"));
                    }
                }, (name, why) => Console.Out.WriteLine($"skipped {name}: {why}"), cancellationToken);
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

        return new Command("backup", "Server backups") { create, Restore(dataDir) };
    }

    /// <summary>
    /// <c>backup restore --server ID --archive FILE</c>: extracts beside the server's directory, then swaps it in, moving
    /// what it replaces aside (see <see cref="BackupRestorer"/>), with <c>##progress</c> lines. The dashboard runs it as the
    /// job <c>restore-ID</c> after checking the server is stopped (and keeps it stopped meanwhile); run by hand, stop the
    /// server first. Exit 0 restored, 1 unknown server or archive, 2 failed (everything put back).
    /// </summary>
    private static Command Restore(Option<string?> dataDir)
    {
        var server = new Option<int>("--server") { Description = "The server's id", Required = true };
        var archive = new Option<string>("--archive") { Description = "The archive: a path, or a file name in the server's backup directory", Required = true };
        var target = new Option<string?>("--target") { Description = "The directory to restore into (default: the server's, from its definition)" };
        var restore = new Command("restore", "Restore a backup into the server's directory (what it replaces is moved aside)") { server, archive, target };
        restore.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await DashboardHost.BuildOfflineServicesAsync(result.GetValue(dataDir), cancellationToken);
            var options = services.GetRequiredService<IOptions<JobOptions>>().Value;
            var data = services.GetRequiredService<DataDirectory>();
            int serverId = result.GetValue(server);
            string? directory = result.GetValue(target) is { } given ? Path.GetFullPath(given) : null;
            if (directory is null)
            {
                var definition = await services.GetRequiredService<ServerCatalog>().GetAsync(serverId, cancellationToken);
                if (definition is null)
                {
                    await Console.Error.WriteLineAsync($"No server with id {serverId}.");
                    return 1;
                }

                directory = BackupService.SourceDirectoryOf(definition, data.Path);
            }

            string name = result.GetValue(archive)!;
            string file = name.Contains('/') ? Path.GetFullPath(name) : Path.Combine(BackupService.BackupRootOf(options, data.Path), serverId.ToString(CultureInfo.InvariantCulture), name);
            if (!File.Exists(file))
            {
                await Console.Error.WriteLineAsync($"No archive {file}.");
                return 1;
            }

            Console.Out.WriteLine($"##progress 0 restoring {Path.GetFileName(file)} into {directory}");
            int lastPercent = -1;
            try
            {
                var aside = await BackupRestorer.RestoreAsync(file, directory, DateTimeOffset.UtcNow, (done, total) =>
                {
                    int percent = total == 0 ? 99 : (int)(done * 99 / total);
                    if (percent != lastPercent)
                    {
                        lastPercent = percent;
                        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"##progress {percent} extracting"));
                    }
                }, Console.Out.WriteLine, cancellationToken);
                Console.Out.WriteLine(aside is null ? "Restored." : $"Restored; what it replaced is kept in {aside}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"Restore failed: {ex.Message} (the previous files are back in place)");
                return 2;
            }

            Console.Out.WriteLine("##progress 100 done");
            return 0;
        });
        return restore;
    }

    /// <summary>A stop-first backup: the dashboard stops the server after starting us; archive only once its process is gone.</summary>
    private static async Task<bool> WaitStoppedAsync(Processes.ProcFs procFs, string process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var parts = process.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int pid) || !ulong.TryParse(parts[1], CultureInfo.InvariantCulture, out ulong start))
        {
            await Console.Error.WriteLineAsync($"--wait-stopped takes PID:STARTTIME, not '{process}'.");
            return false;
        }

        var identity = new Processes.ProcessIdentity(procFs.BootId, pid, start);
        Console.Out.WriteLine($"##progress 0 waiting for the server to stop (pid {pid})");
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (procFs.Check(identity) == Processes.IdentityStatus.Alive)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                await Console.Error.WriteLineAsync($"The server (pid {pid}) did not stop within {timeout.TotalSeconds:0} s: no backup taken.");
                return false;
            }

            await Task.Delay(200, cancellationToken);
        }

        Console.Out.WriteLine("The server has stopped.");
        return true;
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
