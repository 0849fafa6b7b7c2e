using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServerDashboard.Processes;

namespace ServerDashboard.Jobs;

/// <summary>What reading a status file gave: a record, or why there is none (never an exception).</summary>
public sealed record JobStatusRead(string Name, JobStatusRecord? Record, string? Problem)
{
    public bool IsValid => Record is not null;
}

/// <summary>
/// The PID directory's files, as the seed lays them out: <c>&lt;name&gt;.pid</c>, <c>&lt;name&gt;.status</c> (JSON),
/// <c>&lt;name&gt;.log</c>; plus <c>&lt;name&gt;.exit</c> (written by the waiting parent, see docs/jobs.md),
/// <c>&lt;name&gt;.cancel</c> (a CLI's cancel request) and <c>history/</c> (archived runs). Writes are atomic (temp file,
/// fsync, rename) with mode 0600 in a 0700 directory. Reads trust nothing: a link, a file of another owner, a huge or
/// malformed file is reported, never followed or thrown.
/// </summary>
public sealed partial class JobFiles
{
    public const int MaxStatusBytes = 64 * 1024;
    public const string HistoryFolder = "history";

    public JobFiles(string pidDirectory)
    {
        Directory = Path.GetFullPath(pidDirectory);
    }

    public string Directory { get; }

    public string HistoryDirectory => Path.Combine(Directory, HistoryFolder);

    public string PidPath(string name) => Path.Combine(Directory, name + ".pid");

    public string StatusPath(string name) => Path.Combine(Directory, name + ".status");

    public string LogPath(string name) => Path.Combine(Directory, name + ".log");

    public string ExitPath(string name) => Path.Combine(Directory, name + ".exit");

    public string CancelPath(string name) => Path.Combine(Directory, name + ".cancel");

    /// <summary>The job's stdin FIFO, kept out of the top level (the launcher gives every daemon one).</summary>
    public string StdinPath(string name) => Path.Combine(Directory, "stdin", name);

    /// <summary>Letters, digits, '.', '_', '-'; 1–64 characters; not starting with '.' or '-' (a file name, never a path or an option).</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static string NameRule => "a job name is 1-64 letters, digits, '.', '_' or '-', and starts with a letter or digit";

    public void EnsureDirectory()
    {
        foreach (var dir in new[] { Directory, HistoryDirectory, Path.Combine(Directory, "stdin") })
        {
            if (!System.IO.Directory.Exists(dir))
            {
                System.IO.Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            PrivateFiles.RestrictDirectory(dir);
        }
    }

    /// <summary>Names that have a status or PID file in the top level, sorted.</summary>
    public IReadOnlyList<string> ListNames()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        return System.IO.Directory.EnumerateFileSystemEntries(Directory)
            .Where(f => f.EndsWith(".status", StringComparison.Ordinal) || f.EndsWith(".pid", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public JobStatusRead ReadStatus(string name) => ReadStatusFile(name, StatusPath(name));

    /// <summary>Reads a status file anywhere beneath the PID directory (top level or history).</summary>
    public JobStatusRead ReadStatusFile(string name, string path)
    {
        if (!IsValidName(name))
        {
            return new(name, null, $"'{name}' is not a valid job name ({NameRule})");
        }

        var bytes = ReadPrivate(path, MaxStatusBytes, out var problem);
        if (bytes is null)
        {
            return new(name, null, problem);
        }

        if (bytes.Length == 0)
        {
            return new(name, null, "the status file is empty");
        }

        JobStatusRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(bytes, JobsJsonContext.Default.JobStatusRecord);
        }
        catch (JsonException ex)
        {
            return new(name, null, $"the status file is not valid JSON ({ex.Message.Split('.')[0]})");
        }

        return record switch
        {
            null => new(name, null, "the status file holds null"),
            { Pid: <= 0 } => new(name, null, $"the status file has no valid pid ({record.Pid})"),
            { Status: var s } when s is not (JobStates.Running or JobStates.Succeeded or JobStates.Failed or JobStates.Cancelled or JobStates.Lost)
                => new(name, null, $"the status file has an unknown status '{Truncate(s)}'"),
            { Progress: { } p } when double.IsNaN(p) || p < 0 || p > 100 => new(name, null, $"the status file has a progress outside 0-100 ({p})"),
            { Command: null } => new(name, null, "the status file has no command"),
            _ => new(name, record with { Name = name }, null),
        };
    }

    /// <summary>The waiting parent's record: "&lt;exit code&gt; &lt;1 if it got SIGTERM/SIGINT/SIGHUP, else 0&gt;".</summary>
    public WaiterExit? ReadExit(string name)
    {
        var bytes = ReadPrivate(ExitPath(name), 256, out _);
        if (bytes is null)
        {
            return null;
        }

        var parts = Encoding.ASCII.GetString(bytes).Split(' ', '\n', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 1 && int.TryParse(parts[0], out var code) && code is >= 0 and <= 255
            ? new WaiterExit(code, parts.Length >= 2 && parts[1] == "1")
            : null;
    }

    public JobCancelRequest? ReadCancelRequest(string name)
    {
        var bytes = ReadPrivate(CancelPath(name), 4096, out _);
        try
        {
            return bytes is null ? null : JsonSerializer.Deserialize(bytes, JobsJsonContext.Default.JobCancelRequest);
        }
        catch (JsonException)
        {
            return new JobCancelRequest();
        }
    }

    public void WriteStatus(JobStatusRecord record) =>
        WriteAtomic(StatusPath(record.Name), JsonSerializer.SerializeToUtf8Bytes(record, JobsJsonContext.Default.JobStatusRecord));

    public void WritePid(string name, int pid) => WriteAtomic(PidPath(name), Encoding.ASCII.GetBytes(pid + "\n"));

    public void WriteCancelRequest(string name, JobCancelRequest request) =>
        WriteAtomic(CancelPath(name), JsonSerializer.SerializeToUtf8Bytes(request, JobsJsonContext.Default.JobCancelRequest));

    /// <summary>Creates the empty log 0600 before the launcher appends to it (the launcher would create it 0640).</summary>
    public void CreateLog(string name)
    {
        using var _ = new FileStream(LogPath(name), new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        PrivateFiles.RestrictFile(LogPath(name));
    }

    /// <summary>The last <paramref name="lines"/> lines of the log (or of an archived log).</summary>
    public IReadOnlyList<string> ReadLogTail(string name, int lines, string? path = null)
    {
        if (lines <= 0)
        {
            return [];
        }

        path ??= LogPath(name);
        try
        {
            using var stream = SafeFileOpener.OpenRead(Directory, path);
            // Enough for the requested lines in all but pathological logs; a job log can be gigabytes.
            long window = Math.Min(stream.Length, Math.Max(64 * 1024, lines * 1024L));
            stream.Seek(-window, SeekOrigin.End);
            var buffer = new byte[window];
            stream.ReadExactly(buffer);
            var text = Encoding.UTF8.GetString(buffer);
            var all = text.Split('\n');
            int count = all.Length;
            if (count > 0 && all[^1].Length == 0)
            {
                count--; // the text ends with a newline: no empty last line
            }

            int first = Math.Max(window < stream.Length ? 1 : 0, count - lines); // a cut first line is dropped
            return all[first..count].Select(l => l.TrimEnd('\r')).ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Moves a finished run's status (with its log tail) and log under history/, and cleans the top level.</summary>
    public string Archive(JobStatusRecord final, DateTimeOffset at, int logTailLines)
    {
        EnsureDirectory();
        string stem = Path.Combine(HistoryDirectory, $"{final.Name}-{at.UtcDateTime:yyyyMMddTHHmmss.fffZ}");
        var record = final.LogTail is null ? final with { LogTail = ReadLogTail(final.Name, logTailLines) } : final;
        WriteAtomic(stem + ".status", JsonSerializer.SerializeToUtf8Bytes(record, JobsJsonContext.Default.JobStatusRecord));
        if (File.Exists(LogPath(final.Name)) && new FileInfo(LogPath(final.Name)).LinkTarget is null)
        {
            File.Move(LogPath(final.Name), stem + ".log", overwrite: true);
        }

        RemoveTopLevel(final.Name);
        return stem + ".status";
    }

    public void RemoveTopLevel(string name)
    {
        foreach (var path in new[] { PidPath(name), StatusPath(name), ExitPath(name), CancelPath(name), LogPath(name), StdinPath(name) })
        {
            File.Delete(path); // unlink: removes a link itself, never its target
        }
    }

    /// <summary>Archived runs, newest first.</summary>
    public IReadOnlyList<JobStatusRead> ReadHistory(int take)
    {
        if (!System.IO.Directory.Exists(HistoryDirectory))
        {
            return [];
        }

        return new DirectoryInfo(HistoryDirectory).EnumerateFiles("*.status")
            .OrderByDescending(f => f.Name[(f.Name.LastIndexOf('-') + 1)..], StringComparer.Ordinal)
            .Take(take)
            .Select(f => ReadStatusFile(NameOfArchive(f.Name), f.FullName))
            .ToList();
    }

    /// <summary>The archived log beside an archived status, if any.</summary>
    public string? ArchivedLogPath(string archivedStatusPath) =>
        Path.ChangeExtension(archivedStatusPath, ".log") is var log && File.Exists(log) ? log : null;

    /// <summary>Deletes the oldest archived runs beyond <paramref name="keep"/>.</summary>
    public void PruneHistory(int keep)
    {
        if (!System.IO.Directory.Exists(HistoryDirectory))
        {
            return;
        }

        foreach (var old in new DirectoryInfo(HistoryDirectory).EnumerateFiles("*.status")
                     .OrderByDescending(f => f.Name[(f.Name.LastIndexOf('-') + 1)..], StringComparer.Ordinal).Skip(keep))
        {
            File.Delete(Path.ChangeExtension(old.FullName, ".log"));
            old.Delete();
        }
    }

    private static string NameOfArchive(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        int dash = stem.LastIndexOf('-');
        return dash > 0 ? stem[..dash] : stem;
    }

    /// <summary>
    /// Reads a private file: must be a regular file with one name, owned by us, not larger than <paramref name="max"/>,
    /// opened without following links. Returns null with the reason otherwise.
    /// </summary>
    private byte[]? ReadPrivate(string path, int max, out string? problem)
    {
        problem = null;
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            problem = "the file is a symbolic link: refused";
            return null;
        }

        if (!info.Exists)
        {
            problem = System.IO.Directory.Exists(path) ? "the path is a directory, not a file" : "no such file";
            return null;
        }

        var facts = PrivateFiles.Inspect(path);
        if (facts is null || !facts.IsRegularFile)
        {
            problem = "not a regular file: refused";
            return null;
        }

        if (facts.Uid != PrivateFiles.EffectiveUserId)
        {
            problem = $"owned by uid {facts.Uid}, not by the dashboard's user: refused";
            return null;
        }

        if (facts.Size > max)
        {
            problem = $"the file is too large ({facts.Size} bytes, at most {max})";
            return null;
        }

        try
        {
            using var stream = SafeFileOpener.OpenRead(Directory, path);
            var buffer = new byte[max + 1];
            int total = 0, read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            if (total > max)
            {
                problem = $"the file is too large (more than {max} bytes)";
                return null;
            }

            return buffer[..total];
        }
        catch (IOException ex)
        {
            problem = ex.Message;
            return null;
        }
    }

    private void WriteAtomic(string path, byte[] content)
    {
        EnsureDirectory();
        string temp = $"{path}.tmp{Environment.ProcessId}";
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true); // data on disk before the rename makes it visible
        }

        File.Move(temp, path, overwrite: true); // rename(2): atomic within one directory
    }

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}

/// <summary>What the waiting parent wrote when the job ended.</summary>
/// <param name="TermReceived">The waiting parent itself got SIGTERM/SIGINT/SIGHUP: someone cancelled the group.</param>
public sealed record WaiterExit(int Code, bool TermReceived);
