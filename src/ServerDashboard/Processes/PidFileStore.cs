using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using ServerDashboard.Processes.Native;
using ServerDashboard.Text;

namespace ServerDashboard.Processes;

public enum PidFileReadStatus
{
    /// <summary>A current-format (JSON) file.</summary>
    Ok,
    /// <summary>A legacy file holding only a decimal PID.</summary>
    Legacy,
    Missing,
    Empty,
    /// <summary>Neither valid JSON of our schema nor a positive decimal number.</summary>
    Unparsable,
    /// <summary>Not trusted (symlink, not a regular file, another owner, mode wider than 0600, too large); left in place.</summary>
    Refused,
}

public sealed record PidFileReadResult(PidFileReadStatus Status, string Path, PidFileRecord? Record, string Reason);

/// <summary>
/// Linux-only: reads and writes PID files in <c>&lt;dataDir&gt;/run</c>. Writes are atomic (temp file + fsync + rename +
/// directory fsync); reads trust nothing (see docs/pid-file.md for the rules).
/// </summary>
public sealed partial class PidFileStore(IOptions<ProcessOptions> options, ILogger<PidFileStore> logger)
{
    public const string Extension = ".pid";
    public const string LaunchExtension = ".launch";
    public const string StopIntentsExtension = ".stops";
    public const int MaxFileBytes = 64 * 1024;

    /// <summary>A stop-intent file lists every server of a stop-all (≈ 150 bytes each).</summary>
    public const int MaxStopIntentsBytes = 16 * 1024 * 1024;

    public string RunDirectory { get; } = Path.GetFullPath(options.Value.RunDirectory);

    public string PathFor(string serverId)
    {
        if (!ServerIdPattern().IsMatch(serverId))
        {
            throw new ArgumentException($"server id '{serverId}' may only contain letters, digits, '-' and '_'", nameof(serverId));
        }

        return Path.Combine(RunDirectory, serverId + Extension);
    }

    /// <summary>
    /// Creates the run directory with mode 0700. An existing directory of ours with a wider mode is narrowed to 0700
    /// (with a warning); one owned by another user, or a symlink, is refused because we cannot trust what it holds.
    /// </summary>
    public void EnsureRunDirectory()
    {
        if (!Directory.Exists(RunDirectory))
        {
            LinuxNative.CreateDirectory(RunDirectory, LinuxNative.Mode0700);
        }

        LinuxNative.FileStatus status = LinuxNative.TryStatNoFollow(RunDirectory, directory: true)
            ?? throw new IOException($"PID directory {RunDirectory} is a symlink or cannot be opened; refusing to use it");
        if (status.Uid != LinuxNative.geteuid())
        {
            throw new IOException($"PID directory {RunDirectory} is owned by uid {status.Uid}, not by us (uid {LinuxNative.geteuid()}); refusing to use it");
        }

        if (status.Permissions != LinuxNative.Mode0700)
        {
            logger.LogWarning("PID directory {Dir} had mode 0{Mode}; narrowing it to 0700 (PID files may hold RCON passwords)",
                RunDirectory, Convert.ToString(status.Permissions, 8));
            LinuxNative.Chmod(RunDirectory, LinuxNative.Mode0700);
        }
    }

    /// <summary>Writes the file atomically: readers see the old content or the new one, never a mix.</summary>
    public void Write(PidFileRecord record) => WriteAtomic(PathFor(record.ServerId), record.ServerId, Extension, record);

    /// <summary>
    /// The launch record <c>&lt;id&gt;.launch</c>: a PID file without a pid, written (durably) before the spawn, so a
    /// dashboard that dies at any instant of the launch finds the daemon again by its <see cref="PidFileRecord.LaunchId"/>.
    /// </summary>
    public string LaunchRecordPathFor(string serverId) => System.IO.Path.ChangeExtension(PathFor(serverId), LaunchExtension);

    public void WriteLaunchRecord(PidFileRecord record) =>
        WriteAtomic(LaunchRecordPathFor(record.ServerId), record.ServerId, LaunchExtension, record with { Pid = 0 });

    public PidFileReadResult ReadLaunchRecord(string serverId) => ReadPath(LaunchRecordPathFor(serverId), serverId, launchRecord: true);

    public bool LaunchRecordExists(string serverId) => new FileInfo(LaunchRecordPathFor(serverId)) is { Exists: true } or { LinkTarget: not null };

    public bool DeleteLaunchRecord(string serverId) => DeletePath(LaunchRecordPathFor(serverId));

    /// <summary>Server ids that have a <c>*.launch</c> entry in the run directory.</summary>
    public IReadOnlyList<string> ListLaunchRecordIds() => ListIds(LaunchExtension);

    /// <summary>
    /// Writes the stop intents of a stop-all as one new file <c>&lt;guid&gt;.stops</c>, with a PID file's guarantees
    /// (0600 from the first byte, temp + fsync + rename + directory fsync): durable when this returns. One file for the
    /// whole batch instead of rewriting every PID file (100 creates, fsyncs and renames took 80-150 ms of a 400 ms
    /// stop-all). Returns its path.
    /// </summary>
    public string WriteStopIntents(StopIntentBatch batch)
    {
        string name = Guid.NewGuid().ToString("N");
        string path = Path.Combine(RunDirectory, name + StopIntentsExtension);
        WriteAtomic(path, name, StopIntentsExtension, Serialize(batch));
        return path;
    }

    /// <summary>
    /// The file's JSON, written by hand: the source-generated serializer would initialize its metadata on first use, ≈ 110
    /// methods for the JIT on the path of the first stop-all after a start, before any signal. Reading (start-up, after a
    /// crash) uses the generated one; a test reads back what this writes.
    /// </summary>
    private static byte[] Serialize(StopIntentBatch batch)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 + 160 * batch.Stops.Count);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", StopIntentBatch.CurrentVersion);
            json.WriteString("bootId", batch.BootId);
            json.WriteString("stopRequestedAt", batch.StopRequestedAt);
            json.WriteStartArray("stops");
            foreach (StopIntentEntry stop in batch.Stops)
            {
                json.WriteStartObject();
                json.WritePropertyName("serverId");
                ServerIdJsonConverter.WriteId(json, stop.ServerId);
                json.WriteNumber("pid", stop.Pid);
                json.WriteNumber("processStartTime", stop.ProcessStartTime);
                json.WriteNumber("stopSignal", stop.StopSignal);
                json.WriteNumber("stopTimeoutSeconds", stop.StopTimeoutSeconds);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Every <c>*.stops</c> file, read with the same checks as a PID file; a refused or unparsable one has no batch.</summary>
    public IReadOnlyList<(string Path, StopIntentBatch? Batch, string Reason)> ReadStopIntents()
    {
        if (!Directory.Exists(RunDirectory))
        {
            return [];
        }

        var batches = new List<(string, StopIntentBatch?, string)>();
        foreach (string path in Directory.EnumerateFileSystemEntries(RunDirectory, "*" + StopIntentsExtension).Order(StringComparer.Ordinal))
        {
            if (ReadTrusted(path, out byte[]? content, out int length, MaxStopIntentsBytes) is { } refusal)
            {
                batches.Add((path, null, refusal));
                continue;
            }

            try
            {
                StopIntentBatch? batch = JsonSerializer.Deserialize(content.AsSpan(0, length), ProcessesJsonContext.Default.StopIntentBatch);
                batches.Add(batch is null or { Version: > StopIntentBatch.CurrentVersion }
                    ? (path, null, "is not a stop-intent file this dashboard understands")
                    : (path, batch, "ok"));
            }
            catch (JsonException e)
            {
                batches.Add((path, null, $"is not valid stop-intent JSON: {e.Message}"));
            }
        }

        return batches;
    }

    /// <summary>Creates <c>.&lt;id&gt;&lt;ext&gt;.&lt;guid&gt;.tmp</c> (O_EXCL, 0600, no link followed) holding <paramref name="json"/>; the caller fsyncs it.</summary>
    private (string Temp, SafeFileHandle Handle) CreateTemp(string serverId, string extension, byte[] json)
    {
        string temp = Path.Combine(RunDirectory, $".{serverId}{extension}.{Guid.NewGuid():N}.tmp");

        // O_EXCL: never write through something another user planted; 0600 from the first byte on.
        int fd = LinuxNative.open(temp, LinuxNative.O_WRONLY | LinuxNative.O_CREAT | LinuxNative.O_EXCL | LinuxNative.O_CLOEXEC | LinuxNative.O_NOFOLLOW, LinuxNative.Mode0600);
        if (fd < 0)
        {
            throw LinuxNative.LastIOError($"create {temp}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            RandomAccess.Write(handle, json, 0);
        }
        catch
        {
            handle.Dispose();
            File.Delete(temp);
            throw;
        }

        return (temp, handle);
    }

    private void WriteAtomic(string path, string serverId, string extension, PidFileRecord record) =>
        WriteAtomic(path, serverId, extension, JsonSerializer.SerializeToUtf8Bytes(record with { Version = PidFileRecord.CurrentVersion }, ProcessesJsonContext.Default.PidFileRecord));

    private void WriteAtomic(string path, string serverId, string extension, byte[] json)
    {
        EnsureRunDirectory();
        (string temp, SafeFileHandle handle) = CreateTemp(serverId, extension, json);
        try
        {
            using (handle)
            {
                // Data on disk before the rename makes it visible: a crash cannot leave an empty PID file.
                if (LinuxNative.fsync((int)handle.DangerousGetHandle()) != 0)
                {
                    throw LinuxNative.LastIOError($"fsync {temp}");
                }
            }

            File.Move(temp, path, overwrite: true); // rename(2): atomic within one directory.
            FsyncDirectoryAfterRename();
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private readonly Lock _directorySyncLock = new();
    private long _renames;
    private long _renamesSynced;

    /// <summary>
    /// Makes the caller's rename durable: a directory fsync begun after it covers it, so concurrent writers (sixteen starts
    /// at once) share one instead of queueing for one each. The caller's rename is counted before it waits; whoever holds
    /// the lock fsyncs for every rename counted before its fsync began.
    /// </summary>
    private void FsyncDirectoryAfterRename()
    {
        long mine = Interlocked.Increment(ref _renames);
        lock (_directorySyncLock)
        {
            if (Volatile.Read(ref _renamesSynced) >= mine)
            {
                return; // an fsync that began after our rename has completed
            }

            long covered = Volatile.Read(ref _renames);
            FsyncDirectory();
            Volatile.Write(ref _renamesSynced, covered);
        }
    }

    public PidFileReadResult Read(string serverId) => ReadPath(PathFor(serverId), serverId);

    /// <summary>Reads and parses one PID file without following symlinks and without trusting its mode, owner or size.</summary>
    public PidFileReadResult ReadPath(string path, string serverId) => ReadPath(path, serverId, launchRecord: false);

    private PidFileReadResult ReadPath(string path, string serverId, bool launchRecord)
    {
        if (ReadTrusted(path, out byte[]? content, out int length) is { } refusal)
        {
            return new(refusal == Missing ? PidFileReadStatus.Missing : PidFileReadStatus.Refused, path, null, refusal);
        }

        return Parse(content.AsSpan(0, length), path, serverId, launchRecord);
    }

    private const string Missing = "no PID file";

    /// <summary>
    /// Reads a file of the run directory without following a link and without trusting its type, owner, mode or size
    /// (checked through the open fd, so what is checked is what is read). Returns why it was not read, or null.
    /// </summary>
    private static string? ReadTrusted(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out byte[]? content, out int length,
        int maxBytes = MaxFileBytes)
    {
        content = null;
        length = 0;
        int fd = LinuxNative.open(path, LinuxNative.O_RDONLY | LinuxNative.O_NONBLOCK | LinuxNative.O_CLOEXEC | LinuxNative.O_NOFOLLOW, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                2 => Missing,
                // ELOOP is what O_NOFOLLOW reports for a symlink.
                40 => "is a symlink; PID files are never followed through links",
                _ => $"cannot be opened: {LinuxNative.DescribeErrno(errno)}",
            };
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        LinuxNative.FileStatus status = LinuxNative.FStat(fd);
        string? refusal = status switch
        {
            { IsRegularFile: false } => "is not a regular file",
            _ when status.Uid != LinuxNative.geteuid() => $"is owned by uid {status.Uid}, not by us (uid {LinuxNative.geteuid()}); it may hold a password",
            _ when (status.Permissions & ~LinuxNative.Mode0600) != 0 => $"has mode 0{Convert.ToString(status.Permissions, 8)}, wider than 0600; it may hold a password (chmod 600 it to have it read)",
            _ when status.Size > maxBytes => $"is {status.Size} bytes, over the {maxBytes}-byte limit",
            _ => null,
        };
        if (refusal is not null)
        {
            return refusal;
        }

        // One byte more than allowed: a file that grew after the fstat is still caught.
        var buffer = new byte[Math.Min(status.Size, maxBytes) + 1];
        int read;
        while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
        {
            length += read;
            if (length == buffer.Length && length <= maxBytes)
            {
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxBytes + 1));
            }
        }

        if (length > maxBytes)
        {
            return $"is over the {maxBytes}-byte limit";
        }

        content = buffer;
        return null;
    }

    public bool Delete(string serverId) => DeletePath(PathFor(serverId));

    public bool DeletePath(string path)
    {
        try
        {
            bool existed = File.Exists(path) || new FileInfo(path).LinkTarget is not null;
            File.Delete(path);
            return existed;
        }
        catch (IOException e)
        {
            logger.LogWarning("Could not delete PID file {Path}: {Error}", path, e.Message);
            return false;
        }
    }

    public bool Exists(string serverId) => new FileInfo(PathFor(serverId)) is { Exists: true } or { LinkTarget: not null };

    /// <summary>Server ids that have a <c>*.pid</c> entry in the run directory (files, symlinks, anything).</summary>
    public IReadOnlyList<string> ListServerIds() => ListIds(Extension);

    private List<string> ListIds(string extension)
    {
        if (!Directory.Exists(RunDirectory))
        {
            return [];
        }

        return Directory.EnumerateFileSystemEntries(RunDirectory, "*" + extension)
            .Where(p => p.EndsWith(extension, StringComparison.Ordinal))
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .Where(id => ServerIdPattern().IsMatch(id))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Temp files a crash left between create and rename are examined, never just deleted: one holding a complete record
    /// for a server that has no final file is the last word about a live launch, so it is finished (renamed into place,
    /// then validated like any PID file); anything else is removed. Returns (finished, removed).
    /// </summary>
    public (int Finished, int Removed) ExamineLeftoverTempFiles()
    {
        if (!Directory.Exists(RunDirectory))
        {
            return (0, 0);
        }

        int finished = 0, removed = 0;
        foreach (string temp in Directory.EnumerateFileSystemEntries(RunDirectory, ".*.tmp"))
        {
            string name = Path.GetFileName(temp);
            (string? serverId, string? extension) = ParseTempName(name);
            if (serverId is null || extension is null)
            {
                continue; // not ours
            }

            if (extension == StopIntentsExtension)
            {
                // Never renamed into place, so never durable: no server was signalled on its account.
                DeletePath(temp);
                logger.LogInformation("Removed left-over temp file {Temp} (an unfinished stop-intent write)", LogText.Escape(name));
                removed++;
                continue;
            }

            string final = extension == Extension ? PathFor(serverId) : LaunchRecordPathFor(serverId);
            PidFileReadResult read = ReadPath(temp, serverId, launchRecord: extension == LaunchExtension);
            if (read.Status == PidFileReadStatus.Ok && !File.Exists(final) && new FileInfo(final).LinkTarget is null)
            {
                File.Move(temp, final, overwrite: false);
                FsyncDirectory();
                logger.LogWarning("Finished an interrupted write: {Temp} holds a complete record of server {ServerId} and {Final} was missing; renamed into place",
                    LogText.Escape(name), serverId, final);
                finished++;
                continue;
            }

            // A refused temp file (symlink, wrong mode or owner) is not something we wrote: it cannot finish a launch.
            DeletePath(temp);
            logger.LogInformation("Removed left-over temp file {Temp} ({What})", LogText.Escape(name),
                read.Status == PidFileReadStatus.Ok ? "the final file exists" : LogText.Escape(read.Reason));
            removed++;
        }

        return (finished, removed);
    }

    /// <summary><c>.&lt;id&gt;.pid.&lt;guid&gt;.tmp</c>, <c>.&lt;id&gt;.launch.&lt;guid&gt;.tmp</c> or <c>.&lt;guid&gt;.stops.&lt;guid&gt;.tmp</c>.</summary>
    private static (string? ServerId, string? Extension) ParseTempName(string name)
    {
        foreach (string extension in new[] { Extension, LaunchExtension, StopIntentsExtension })
        {
            int at = name.IndexOf(extension + ".", StringComparison.Ordinal);
            if (name.StartsWith('.') && at > 1 && name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                string id = name[1..at];
                if (ServerIdPattern().IsMatch(id))
                {
                    return (id, extension);
                }
            }
        }

        return (null, null);
    }

    internal static PidFileReadResult Parse(ReadOnlySpan<byte> content, string path, string serverId, bool launchRecord = false)
    {
        string text = Encoding.UTF8.GetString(content).Trim();
        if (text.Length == 0)
        {
            return new(PidFileReadStatus.Empty, path, null, "is empty");
        }

        if (!launchRecord && (char.IsAsciiDigit(text[0]) || text[0] is '-' or '+'))
        {
            // Legacy format: the whole file is one decimal number.
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long legacyPid))
            {
                return new(PidFileReadStatus.Unparsable, path, null, $"is neither JSON nor a decimal PID: '{Shorten(text)}'");
            }

            return legacyPid is <= 1 or > int.MaxValue
                ? new(PidFileReadStatus.Unparsable, path, null, $"holds {legacyPid}, not a valid PID")
                : new(PidFileReadStatus.Legacy, path, new PidFileRecord { Pid = (int)legacyPid, ServerId = serverId, IsLegacy = true }, "legacy format (PID only)");
        }

        PidFileRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(text, ProcessesJsonContext.Default.PidFileRecord);
        }
        catch (JsonException e)
        {
            return new(PidFileReadStatus.Unparsable, path, null, $"is not valid PID file JSON: {e.Message}");
        }

        return record switch
        {
            null => new(PidFileReadStatus.Unparsable, path, null, "holds JSON null"),
            { Version: > PidFileRecord.CurrentVersion } => new(PidFileReadStatus.Unparsable, path, null, $"has version {record.Version}, newer than this dashboard understands ({PidFileRecord.CurrentVersion})"),
            // A launch record is written before there is a pid (0) and must name its marker.
            { Pid: not 0 } when launchRecord => new(PidFileReadStatus.Unparsable, path, null, $"is a launch record holding pid {record.Pid}"),
            { LaunchId: null or "" } when launchRecord => new(PidFileReadStatus.Unparsable, path, null, "is a launch record without a launch id"),
            { Pid: <= 1 } when !launchRecord => new(PidFileReadStatus.Unparsable, path, null, $"holds pid {record.Pid}, not a valid PID"),
            _ when record.ServerId != serverId => new(PidFileReadStatus.Unparsable, path, null, $"names server '{record.ServerId}' but is the file of server '{serverId}'"),
            _ => new(PidFileReadStatus.Ok, path, record, "ok"),
        };
    }

    private void FsyncDirectory()
    {
        // The rename is durable only once the directory itself is on disk.
        int dirFd = LinuxNative.open(RunDirectory, LinuxNative.O_RDONLY | LinuxNative.O_DIRECTORY | LinuxNative.O_CLOEXEC, 0);
        if (dirFd < 0)
        {
            throw LinuxNative.LastIOError($"open {RunDirectory}");
        }

        try
        {
            if (LinuxNative.fsync(dirFd) != 0)
            {
                throw LinuxNative.LastIOError($"fsync {RunDirectory}");
            }
        }
        finally
        {
            LinuxNative.close(dirFd);
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,100}$")]
    private static partial Regex ServerIdPattern();
}
