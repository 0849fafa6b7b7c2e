using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using ServerDashboard.Processes;

namespace ServerDashboard.Jobs;

/// <summary>
/// Writes and restores a server directory (or the paths its definition lists) as <c>.tar.gz</c>. The directory is a game's:
/// symbolic links are archived as links and never followed, files are opened with <see cref="SafeFileOpener"/> (no link
/// anywhere on the way, never outside the directory, one name only; a refused file is skipped and reported), other
/// special files are skipped. Progress is reported by bytes read.
/// </summary>
public static class BackupArchive
{
    /// <summary>
    /// A partial backup (only some paths) names them in a PAX global header at the start, so a restore replaces those paths
    /// only and leaves the rest of the directory alone.
    /// </summary>
    public const string PathsAttribute = "SERVERDASHBOARD.paths";

    /// <summary>Archives <paramref name="source"/> into <paramref name="archivePath"/> (temp file, then rename).</summary>
    /// <param name="paths">Relative paths to archive; empty: the whole directory.</param>
    /// <param name="progress">Called with (bytes done, bytes total, current relative path).</param>
    /// <param name="skipped">Told about each entry left out, with why (a link on the way, a hard link, vanished...).</param>
    public static async Task<long> CreateAsync(string source, IReadOnlyList<string> paths, string archivePath, Action<long, long, string> progress,
        Action<string, string> skipped, CancellationToken cancellationToken)
    {
        var root = new DirectoryInfo(Path.GetFullPath(source));
        var entries = paths.Count == 0 ? Walk(root).ToList() : Select(root, paths, skipped).ToList();
        long total = entries.Where(e => e is FileInfo { LinkTarget: null }).Sum(e => ((FileInfo)e).Length);
        long done = 0;
        string temp = archivePath + ".partial";
        Directory.CreateDirectory(Path.GetDirectoryName(archivePath)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using (var file = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
            if (paths.Count > 0)
            {
                await tar.WriteEntryAsync(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { [PathsAttribute] = JsonSerializer.Serialize(paths) }), cancellationToken);
            }

            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = Path.GetRelativePath(root.FullName, entry.FullName).Replace('\\', '/');
                if (entry.LinkTarget is { } target)
                {
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target }, cancellationToken);
                }
                else if (entry is DirectoryInfo)
                {
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = entry.UnixFileMode }, cancellationToken);
                }
                else if (entry is FileInfo info)
                {
                    FileStream input;
                    try
                    {
                        // Opened beneath the server's directory without following any link: the game may have swapped a
                        // file or a directory on the way for a link to /etc/shadow since the walk saw it.
                        input = SafeFileOpener.OpenRead(root.FullName, info.FullName);
                    }
                    catch (Exception ex) when (ex is UnsafeFileException or FileNotFoundException or DirectoryNotFoundException)
                    {
                        skipped(name, ex.Message);
                        done += info.Length;
                        continue;
                    }

                    await using (input)
                    {
                        // A live server appends to its logs meanwhile: archive the length seen at open, or the entry's header lies.
                        await using var data = new LengthLimitedStream(input, input.Length);
                        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name)
                        {
                            DataStream = data,
                            Mode = info.UnixFileMode,
                            ModificationTime = info.LastWriteTimeUtc,
                        }, cancellationToken);
                    }

                    done += info.Length;
                    progress(done, total, name);
                }
            }
        }

        File.Move(temp, archivePath, overwrite: false);
        return new FileInfo(archivePath).Length;
    }

    /// <summary>The paths a partial archive holds (its global header), or an empty list for a whole-directory archive.</summary>
    public static async Task<IReadOnlyList<string>> ReadPathsAsync(string archivePath, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(archivePath);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        var first = await reader.GetNextEntryAsync(copyData: false, cancellationToken);
        return first is PaxGlobalExtendedAttributesTarEntry global && global.GlobalExtendedAttributes.TryGetValue(PathsAttribute, out var list)
            ? JsonSerializer.Deserialize<string[]>(list) ?? []
            : [];
    }

    /// <summary>
    /// Extracts into <paramref name="destination"/>, a new directory. Entries must stay inside it (no absolute name, no
    /// <c>..</c>); symbolic links are recreated as links (wherever they point: they are data, never followed here) and
    /// nothing is ever written through one: an entry below a link the archive made is refused. Other entry types
    /// (hard links, devices, FIFOs) are skipped. <see cref="TarFile.ExtractToDirectoryAsync(Stream, string, bool, CancellationToken)"/>
    /// is not used because it refuses a whole archive for one link pointing outside (a game's absolute link to a library).
    /// </summary>
    /// <param name="progress">Called with (archive bytes read, archive size).</param>
    public static async Task ExtractAsync(string archivePath, string destination, CancellationToken cancellationToken, Action<long, long>? progress = null)
    {
        destination = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        Directory.CreateDirectory(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var file = File.OpenRead(archivePath);
        await using var counted = new ReadProgressStream(file, progress ?? ((_, _) => { }));
        await using var gzip = new GZipStream(counted, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        var directoryModes = new List<(string Path, UnixFileMode Mode)>();
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
            {
                continue;
            }

            var parts = entry.Name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            if (entry.Name.StartsWith('/') || parts.Any(p => p is ".." or "."))
            {
                throw new InvalidDataException($"the archive entry '{entry.Name}' would leave the directory: refused");
            }

            var path = Path.Combine([destination, .. parts]);
            EnsurePlainParents(destination, parts);
            var mode = entry.Mode & (UnixFileMode)Convert.ToInt32("7777", 8);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (new FileInfo(path).LinkTarget is not null || File.Exists(path))
                    {
                        throw new InvalidDataException($"the archive entry '{entry.Name}' is a directory where it made something else");
                    }

                    Directory.CreateDirectory(path);
                    directoryModes.Add((path, mode));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    // CreateNew: never opens an existing name, so never a link (O_CREAT | O_EXCL does not follow one).
                    await using (var output = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode | UnixFileMode.UserWrite }))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await data.CopyToAsync(output, cancellationToken);
                        }
                    }

                    File.SetUnixFileMode(path, mode);
                    File.SetLastWriteTimeUtc(path, entry.ModificationTime.UtcDateTime);
                    break;
                case TarEntryType.SymbolicLink:
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                default:
                    break; // hard links, devices, FIFOs: never written by our backups
            }
        }

        // Last, so a read-only directory does not stop its own contents from being extracted.
        foreach (var (path, mode) in directoryModes.AsEnumerable().Reverse())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>Creates the missing directories on the way to an entry; one that is a link (the archive made it) refuses the entry.</summary>
    private static void EnsurePlainParents(string destination, string[] parts)
    {
        var current = destination;
        foreach (var part in parts[..^1])
        {
            current = Path.Combine(current, part);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null || File.Exists(current))
            {
                throw new InvalidDataException($"the archive puts '{string.Join('/', parts)}' below '{Path.GetRelativePath(destination, current)}', which is not a directory: refused");
            }

            if (!info.Exists)
            {
                Directory.CreateDirectory(current);
            }
        }
    }

    /// <summary>Reports how far into the (compressed) archive the reader is: progress by bytes of the archive.</summary>
    private sealed class ReadProgressStream(Stream inner, Action<long, long> progress) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = inner.Read(buffer, offset, count);
            progress(inner.Position, inner.Length);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await inner.ReadAsync(buffer, cancellationToken);
            progress(inner.Position, inner.Length);
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>
    /// The entries of the listed paths: the directories leading to each (so a restore recreates them), then the path
    /// itself and, for a directory, everything below. A path that passes through a link is refused (reported and left
    /// out): the part beyond it lies outside the server's directory. A missing path is reported.
    /// </summary>
    private static IEnumerable<FileSystemInfo> Select(DirectoryInfo root, IReadOnlyList<string> paths, Action<string, string> skipped)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var relative in paths)
        {
            var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || parts.Any(p => p is ".." or ".") || relative.StartsWith('/'))
            {
                skipped(relative, "not a relative path inside the server's directory");
                continue;
            }

            var chain = new List<FileSystemInfo>();
            var current = root.FullName;
            string? refusal = null;
            for (var i = 0; i < parts.Length; i++)
            {
                current = Path.Combine(current, parts[i]);
                FileSystemInfo info = Directory.Exists(current) && new DirectoryInfo(current).LinkTarget is null ? new DirectoryInfo(current) : new FileInfo(current);
                if (info.LinkTarget is not null && i < parts.Length - 1)
                {
                    refusal = $"'{string.Join('/', parts[..(i + 1)])}' is a symbolic link: not followed";
                    break;
                }

                if (!info.Exists && info.LinkTarget is null)
                {
                    refusal = "does not exist";
                    break;
                }

                chain.Add(info);
            }

            if (refusal is not null)
            {
                skipped(relative, refusal);
                continue;
            }

            var last = chain[^1];
            foreach (var entry in chain.Take(chain.Count - 1).Append(last))
            {
                if (seen.Add(entry.FullName) && (entry.LinkTarget is not null || entry is DirectoryInfo || IsArchivable(entry)))
                {
                    yield return entry;
                }
            }

            if (last is DirectoryInfo dir && last.LinkTarget is null)
            {
                foreach (var inner in Walk(dir).Where(e => seen.Add(e.FullName)))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Directories before their contents; links reported as links, never descended into.</summary>
    private static IEnumerable<FileSystemInfo> Walk(DirectoryInfo dir)
    {
        foreach (var entry in dir.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.LinkTarget is not null)
            {
                yield return entry;
            }
            else if (entry is DirectoryInfo sub)
            {
                yield return sub;
                foreach (var inner in Walk(sub))
                {
                    yield return inner;
                }
            }
            else if (IsArchivable(entry))
            {
                yield return entry;
            }
        }
    }

    private static bool IsArchivable(FileSystemInfo entry) =>
        entry is FileInfo f && (f.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0 && IsRegular(f);

    private static bool IsRegular(FileInfo f) => PrivateFiles.Inspect(f.FullName) is { IsRegularFile: true };

    public static string TimestampName(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture) + ".tar.gz";
}

/// <summary>A read-only view of the first <c>length</c> bytes of a stream (shorter if the file shrank).</summary>
internal sealed class LengthLimitedStream(Stream inner, long length) : Stream
{
    private long position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int read = inner.Read(buffer, offset, (int)Math.Min(count, length - position));
        position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        position = inner.Seek(origin == SeekOrigin.End ? length + offset : offset + (origin == SeekOrigin.Current ? position : 0), SeekOrigin.Begin);
        return position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
