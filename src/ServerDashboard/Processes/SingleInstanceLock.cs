using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>What the lock holder writes into <c>dashboard.lock</c>.</summary>
public sealed record LockFileContent(int? Pid, DateTimeOffset? StartedAt, IReadOnlyList<string>? Urls, string? Version)
{
    /// <summary>Parses the file's text; null for anything that is not our JSON (a crashed writer, a stranger's file).</summary>
    public static LockFileContent? TryParse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, ProcessesJsonContext.Default.LockFileContent);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"pid {Pid?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}, since {StartedAt?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "unknown"}, at {(Urls is { Count: > 0 } ? string.Join(", ", Urls) : "unknown URL")}");
}

public sealed class DashboardAlreadyRunningException(string lockPath, LockFileContent? holder)
    : Exception($"another ServerDashboard ({(holder ?? new LockFileContent(null, null, null, null)).Describe()}) holds {lockPath}")
{
    public string LockPath { get; } = lockPath;

    /// <summary>What the holder wrote into the lock file; null if it was unreadable.</summary>
    public LockFileContent? Holder { get; } = holder;
}

/// <summary>
/// Linux-only: one dashboard per data directory. An exclusive flock on <c>&lt;dataDir&gt;/dashboard.lock</c> is held for
/// the life of the process; the kernel drops it when the process dies, so a crash never leaves a stale lock.
/// The fd is O_CLOEXEC and launched daemons get only fds 0-2, so no daemon can keep the lock alive.
/// </summary>
public sealed class SingleInstanceLock : IDisposable
{
    public const string FileName = "dashboard.lock";

    private readonly SafeFileHandle _handle;
    private readonly DateTimeOffset _startedAt;
    private readonly string _version;

    private SingleInstanceLock(SafeFileHandle handle, string path, string version, TimeProvider time)
    {
        _handle = handle;
        Path = path;
        _version = version;
        _startedAt = time.GetUtcNow();
    }

    public string Path { get; }

    /// <summary>Takes the lock or throws <see cref="DashboardAlreadyRunningException"/> naming the holder. Call before anything else starts.</summary>
    public static SingleInstanceLock Acquire(string dataDir, IEnumerable<string> urls, string version, TimeProvider? time = null)
    {
        if (!Directory.Exists(dataDir))
        {
            LinuxNative.CreateDirectory(dataDir, LinuxNative.Mode0700);
        }

        string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDir, FileName));
        // 0644: the content (pid, urls, version) is not secret and a status command run by another user may read it.
        int fd = LinuxNative.open(path, LinuxNative.O_RDWR | LinuxNative.O_CREAT | LinuxNative.O_CLOEXEC | LinuxNative.O_NOFOLLOW, 0x1A4);
        if (fd < 0)
        {
            throw LinuxNative.LastIOError($"open {path}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (LinuxNative.flock(fd, LinuxNative.LOCK_EX | LinuxNative.LOCK_NB) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LockFileContent? holder = errno == LinuxNative.EAGAIN ? LockFileContent.TryParse(ReadAll(handle)) : null;
            handle.Dispose();
            throw errno == LinuxNative.EAGAIN
                ? new DashboardAlreadyRunningException(path, holder)
                : LinuxNative.IOFromErrno(errno, $"flock {path}");
        }

        var instanceLock = new SingleInstanceLock(handle, path, version, time ?? TimeProvider.System);
        instanceLock.UpdateUrls(urls);
        return instanceLock;
    }

    /// <summary>Rewrites the lock file's content, e.g. with the real URLs once Kestrel has bound.</summary>
    public void UpdateUrls(IEnumerable<string> urls)
    {
        var content = new LockFileContent(Environment.ProcessId, _startedAt, urls.ToList(), _version);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(content, ProcessesJsonContext.Default.LockFileContent);
        int fd = (int)_handle.DangerousGetHandle();
        if (LinuxNative.ftruncate(fd, 0) != 0)
        {
            throw LinuxNative.LastIOError($"truncate {Path}");
        }

        RandomAccess.Write(_handle, json, 0);
        if (LinuxNative.fsync(fd) != 0)
        {
            throw LinuxNative.LastIOError($"fsync {Path}");
        }
    }

    /// <summary>Empties the file and releases the lock (closing the fd would release it too).</summary>
    public void Dispose()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        LinuxNative.ftruncate((int)_handle.DangerousGetHandle(), 0);
        _handle.Dispose();
    }

    internal static byte[] ReadAll(SafeFileHandle handle)
    {
        var buffer = new byte[16 * 1024];
        int length = 0, read;
        while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
        {
            length += read;
        }

        return buffer[..length];
    }
}

/// <param name="IsHeld">A dashboard holds the lock right now.</param>
/// <param name="Holder">The file's content (the current or last holder); null if missing or unreadable.</param>
public sealed record LockFileStatus(string Path, bool Exists, bool IsHeld, LockFileContent? Holder);

/// <summary>
/// Linux-only: for a "status" command, tells whether a dashboard holds the lock of a data directory, without taking it.
/// It probes with a non-blocking shared flock on its own fd (flock locks belong to an open file description, so this
/// conflicts with a holder even in the same process). The probe holds the shared lock for microseconds; a dashboard
/// starting in exactly that window would be refused and should simply be retried.
/// </summary>
public sealed class LockFileReader
{
    public LockFileStatus TryRead(string dataDir)
    {
        string path = Path.GetFullPath(Path.Combine(dataDir, SingleInstanceLock.FileName));
        int fd = LinuxNative.open(path, LinuxNative.O_RDONLY | LinuxNative.O_CLOEXEC | LinuxNative.O_NOFOLLOW | LinuxNative.O_NONBLOCK, 0);
        if (fd < 0)
        {
            return new LockFileStatus(path, Exists: File.Exists(path), IsHeld: false, Holder: null);
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        bool held;
        if (LinuxNative.flock(fd, LinuxNative.LOCK_SH | LinuxNative.LOCK_NB) == 0)
        {
            held = false;
            LinuxNative.flock(fd, LinuxNative.LOCK_UN);
        }
        else
        {
            held = Marshal.GetLastPInvokeError() == LinuxNative.EAGAIN;
        }

        byte[] content = SingleInstanceLock.ReadAll(handle);
        return new LockFileStatus(path, Exists: true, held, content.Length == 0 ? null : LockFileContent.TryParse(content));
    }
}
