using System.Formats.Tar;
using System.IO.Compression;
using ServerDashboard.Jobs;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Jobs;

/// <summary>Backup paths, links that must never be followed, and restores that replace only what the archive holds (real files).</summary>
public sealed class BackupPathsTests
{
    [Fact]
    public async Task A_backup_of_listed_paths_holds_only_them_archives_links_as_links_and_refuses_a_path_through_a_link()
    {
        using var temp = new TempDirectory("sd-backup-paths");
        var server = ServerDirectory(temp);
        var skipped = new List<string>();

        await BackupArchive.CreateAsync(server, ["world", "server.properties", "outlink/secret.txt", "missing.txt"], temp.Combine("b.tar.gz"),
            (_, _, _) => { }, (name, why) => skipped.Add($"{name}: {why}"), CancellationToken.None);

        var entries = await EntriesAsync(temp.Combine("b.tar.gz"));
        Assert.Equal(["server.properties", "world/", "world/escape", "world/level.dat", "world/region/", "world/region/r.0.0.mca"], entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(TarEntryType.SymbolicLink, entries["world/escape"]); // the link itself, never what it points at
        Assert.Contains(skipped, s => s.StartsWith("outlink/secret.txt: 'outlink' is a symbolic link", StringComparison.Ordinal));
        Assert.Contains(skipped, s => s.StartsWith("missing.txt: does not exist", StringComparison.Ordinal));
        Assert.Equal(["world", "server.properties", "outlink/secret.txt", "missing.txt"], await BackupArchive.ReadPathsAsync(temp.Combine("b.tar.gz"), CancellationToken.None));
    }

    [Fact]
    public async Task A_file_swapped_for_a_link_after_the_walk_is_skipped_not_followed()
    {
        using var temp = new TempDirectory("sd-backup-swap");
        var server = ServerDirectory(temp);
        var skipped = new List<string>();
        bool swapped = false;

        // The progress callback runs between files: swap the next file (server.properties sorts after outlink/, world/ is later)
        // for a link to the secret, as a hostile game could between the walk and the open.
        await BackupArchive.CreateAsync(server, [], temp.Combine("b.tar.gz"), (_, _, name) =>
        {
            if (!swapped)
            {
                swapped = true;
                File.Delete(Path.Combine(server, "world", "level.dat"));
                File.CreateSymbolicLink(Path.Combine(server, "world", "level.dat"), temp.Combine("outside", "secret.txt"));
            }
        }, (name, why) => skipped.Add(name), CancellationToken.None);

        Assert.True(swapped);
        var entries = await EntriesAsync(temp.Combine("b.tar.gz"));
        Assert.Contains("world/level.dat", skipped);
        Assert.DoesNotContain("world/level.dat", entries.Keys);
        Assert.DoesNotContain("top secret", await AllTextAsync(temp.Combine("b.tar.gz")));
        Assert.Empty(await BackupArchive.ReadPathsAsync(temp.Combine("b.tar.gz"), CancellationToken.None)); // a whole-directory archive
    }

    [Fact]
    public async Task A_partial_restore_replaces_only_the_archived_paths_and_keeps_what_it_replaced()
    {
        using var temp = new TempDirectory("sd-restore-partial");
        var server = ServerDirectory(temp);
        await BackupArchive.CreateAsync(server, ["world"], temp.Combine("b.tar.gz"), (_, _, _) => { }, (_, _) => { }, CancellationToken.None);
        File.Delete(Path.Combine(server, "world", "level.dat"));
        await File.WriteAllTextAsync(Path.Combine(server, "world", "new.dat"), "made after the backup");
        await File.WriteAllTextAsync(Path.Combine(server, "server.properties"), "motd=changed");

        var aside = await BackupRestorer.RestoreAsync(temp.Combine("b.tar.gz"), server, DateTimeOffset.UnixEpoch, (_, _) => { }, _ => { }, CancellationToken.None);

        Assert.Equal("level data", await File.ReadAllTextAsync(Path.Combine(server, "world", "level.dat")));
        Assert.False(File.Exists(Path.Combine(server, "world", "new.dat")));
        Assert.Equal("motd=changed", await File.ReadAllTextAsync(Path.Combine(server, "server.properties"))); // not in the archive: untouched
        Assert.NotNull(aside);
        Assert.Equal("made after the backup", await File.ReadAllTextAsync(Path.Combine(aside!, "world", "new.dat")));
        Assert.Empty(Directory.GetDirectories(temp.Path, "server.restoring-*"));
    }

    [Fact]
    public async Task A_whole_directory_restore_replaces_the_directory_keeps_its_mode_and_moves_the_old_one_aside()
    {
        using var temp = new TempDirectory("sd-restore-whole");
        var server = ServerDirectory(temp);
        File.SetUnixFileMode(server, (UnixFileMode)Convert.ToInt32("755", 8));
        await BackupArchive.CreateAsync(server, [], temp.Combine("b.tar.gz"), (_, _, _) => { }, (_, _) => { }, CancellationToken.None);
        File.Delete(Path.Combine(server, "server.properties"));
        var percents = new List<long>();

        var aside = await BackupRestorer.RestoreAsync(temp.Combine("b.tar.gz"), server, DateTimeOffset.UnixEpoch, (done, total) => percents.Add(done * 100 / total), _ => { }, CancellationToken.None);

        Assert.Equal("motd=hello", await File.ReadAllTextAsync(Path.Combine(server, "server.properties")));
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(server));
        Assert.False(File.Exists(Path.Combine(aside!, "server.properties")));
        Assert.True(File.Exists(Path.Combine(aside!, "world", "level.dat")));
        Assert.Equal(100, percents[^1]);
    }

    [Fact]
    public async Task A_restore_that_fails_half_way_puts_everything_back_and_never_writes_through_a_link()
    {
        using var temp = new TempDirectory("sd-restore-fail");
        var server = ServerDirectory(temp);
        await BackupArchive.CreateAsync(server, ["server.properties", "world/region"], temp.Combine("b.tar.gz"), (_, _, _) => { }, (_, _) => { }, CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(server, "server.properties"), "motd=current");
        // After the backup the game replaced world/ with a link out of its directory: restoring world/region through it is refused.
        Directory.Delete(Path.Combine(server, "world"), recursive: true);
        Directory.CreateDirectory(temp.Combine("elsewhere"));
        Directory.CreateSymbolicLink(Path.Combine(server, "world"), temp.Combine("elsewhere"));

        var error = await Assert.ThrowsAsync<IOException>(() => BackupRestorer.RestoreAsync(temp.Combine("b.tar.gz"), server, DateTimeOffset.UnixEpoch,
            (_, _) => { }, _ => { }, CancellationToken.None));

        Assert.Contains("'world' in the server's directory is not a plain directory", error.Message);
        Assert.Equal("motd=current", await File.ReadAllTextAsync(Path.Combine(server, "server.properties"))); // the first path was put back
        Assert.Empty(Directory.GetFileSystemEntries(temp.Combine("elsewhere")));
        Assert.Empty(Directory.GetDirectories(temp.Path, "server.restoring-*"));
    }

    [Fact]
    public async Task A_cancelled_restore_leaves_the_directory_as_it_was()
    {
        using var temp = new TempDirectory("sd-restore-cancel");
        var server = ServerDirectory(temp);
        await BackupArchive.CreateAsync(server, [], temp.Combine("b.tar.gz"), (_, _, _) => { }, (_, _) => { }, CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(server, "server.properties"), "motd=current");
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BackupRestorer.RestoreAsync(temp.Combine("b.tar.gz"), server, DateTimeOffset.UnixEpoch,
            (_, _) => cancel.Cancel(), _ => { }, cancel.Token));

        Assert.Equal("motd=current", await File.ReadAllTextAsync(Path.Combine(server, "server.properties")));
        Assert.Empty(Directory.GetDirectories(temp.Path, "server.restoring-*"));
        Assert.Empty(Directory.GetDirectories(temp.Path, "server.before-restore-*"));
    }

    [Fact]
    public void A_server_cannot_start_while_a_restore_or_a_stop_first_backup_of_it_runs()
    {
        using var temp = new TempDirectory("sd-veto");
        var files = new JobFiles(temp.Path);
        files.EnsureDirectory();
        var veto = new BackupStartVeto(files);
        Assert.Null(veto.WhyNot(5));

        files.WriteStatus(new JobStatusRecord { Name = BackupJobs.JobName(5), Pid = 1, Status = JobStates.Running, ServerId = 5 });
        Assert.Null(veto.WhyNot(5)); // a backup of a live server does not hold it
        files.WriteStatus(new JobStatusRecord { Name = BackupJobs.JobName(5), Pid = 1, Status = JobStates.Running, ServerId = 5, RestartServerAfter = true });
        Assert.Contains("stopped for a backup (job backup-5)", veto.WhyNot(5));
        Assert.Null(veto.WhyNot(6));

        files.WriteStatus(new JobStatusRecord { Name = BackupJobs.RestoreJobName(6), Pid = 1, Status = JobStates.Running, ServerId = 6 });
        Assert.Contains("a restore into its directory is running (job restore-6)", veto.WhyNot(6));
        files.WriteStatus(new JobStatusRecord { Name = BackupJobs.RestoreJobName(6), Pid = 1, Status = JobStates.Succeeded, ServerId = 6 });
        Assert.Null(veto.WhyNot(6));
    }

    /// <summary>A game directory with a link pointing out of it and a directory link on the way to a listed path.</summary>
    private static string ServerDirectory(TempDirectory temp)
    {
        Directory.CreateDirectory(temp.Combine("outside"));
        File.WriteAllText(temp.Combine("outside", "secret.txt"), "top secret");
        var server = temp.Combine("server");
        Directory.CreateDirectory(Path.Combine(server, "world", "region"));
        File.WriteAllText(Path.Combine(server, "world", "level.dat"), "level data");
        File.WriteAllBytes(Path.Combine(server, "world", "region", "r.0.0.mca"), new byte[10_000]);
        File.WriteAllText(Path.Combine(server, "server.properties"), "motd=hello");
        File.WriteAllText(Path.Combine(server, "not-listed.txt"), "not in a partial backup");
        File.CreateSymbolicLink(Path.Combine(server, "world", "escape"), temp.Combine("outside", "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(server, "outlink"), temp.Combine("outside"));
        return server;
    }

    private static async Task<Dictionary<string, TarEntryType>> EntriesAsync(string archive)
    {
        var entries = new Dictionary<string, TarEntryType>();
        await using var file = File.OpenRead(archive);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.EntryType != TarEntryType.GlobalExtendedAttributes)
            {
                entries[entry.Name] = entry.EntryType;
            }
        }

        return entries;
    }

    private static async Task<string> AllTextAsync(string archive)
    {
        await using var file = File.OpenRead(archive);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return await reader.ReadToEndAsync();
    }
}
