using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;

namespace ServerDashboard.Jobs;

/// <summary>
/// Writes and restores a server directory as <c>.tar.gz</c>. Symbolic links are archived as links and never followed
/// (a game can plant one pointing anywhere); other special files are skipped. Progress is reported by bytes read.
/// </summary>
public static class BackupArchive
{
    /// <summary>Archives <paramref name="source"/> into <paramref name="archivePath"/> (temp file, then rename).</summary>
    /// <param name="progress">Called with (bytes done, bytes total, current relative path).</param>
    public static async Task<long> CreateAsync(string source, string archivePath, Action<long, long, string> progress, CancellationToken cancellationToken)
    {
        var root = new DirectoryInfo(source);
        var entries = Walk(root).ToList();
        long total = entries.Where(e => e is FileInfo { LinkTarget: null }).Sum(e => ((FileInfo)e).Length);
        long done = 0;
        string temp = archivePath + ".partial";
        Directory.CreateDirectory(Path.GetDirectoryName(archivePath)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using (var file = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
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
                    await using var input = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    // A live server appends to its logs meanwhile: archive the length seen now, or the entry's header lies.
                    await using var data = new LengthLimitedStream(input, info.Length);
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name)
                    {
                        DataStream = data,
                        Mode = info.UnixFileMode,
                        ModificationTime = info.LastWriteTimeUtc,
                    }, cancellationToken);
                    done += info.Length;
                    progress(done, total, name);
                }
            }
        }

        File.Move(temp, archivePath, overwrite: false);
        return new FileInfo(archivePath).Length;
    }

    /// <summary>Extracts into <paramref name="destination"/>, which must not exist yet. Entries leaving it are refused.</summary>
    public static async Task ExtractAsync(string archivePath, string destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(destination);
        await using var file = File.OpenRead(archivePath);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        // ExtractToDirectory refuses entries (and link targets) that would land outside the destination.
        await TarFile.ExtractToDirectoryAsync(gzip, destination, overwriteFiles: false, cancellationToken);
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
            else if (entry is FileInfo f && (f.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0 && IsRegular(f))
            {
                yield return f;
            }
        }
    }

    private static bool IsRegular(FileInfo f) => Processes.PrivateFiles.Inspect(f.FullName) is { IsRegularFile: true };

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
