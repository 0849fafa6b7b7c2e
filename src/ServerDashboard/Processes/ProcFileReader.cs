using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>
/// Reads a small kernel-generated file (/proc, cgroupfs) in one go: open, read into a pooled buffer, close — no
/// exception when it is gone. <see cref="File.ReadAllText(string)"/> built a FileStream, a 4 KB buffer and a StreamReader
/// per call, a few hundred times every monitoring tick, and threw a FileNotFoundException for each process that exited
/// between listing /proc and reading it (most of a pass when a hundred servers stop at once). docs/PERFORMANCE.md.
/// </summary>
internal static class ProcFileReader
{
    private const int InitialBytes = 4096;

    /// <summary>The file's text, or null when it cannot be read (the process exited, the cgroup was removed, no permission).</summary>
    public static string? TryReadAllText(string path) => TryRead(path, static bytes => Encoding.UTF8.GetString(bytes));

    /// <summary>
    /// <paramref name="parse"/> applied to the file's bytes (valid only during the call), or null when the file cannot be
    /// read: parsers that read a few fields need no string of the whole file.
    /// </summary>
    public static unsafe T? TryRead<T>(string path, Func<ReadOnlySpan<byte>, T?> parse)
        where T : class
    {
        int fd = LinuxNative.open(path, LinuxNative.O_RDONLY | LinuxNative.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);
        try
        {
            // Kernel files report a size of 0: read until end of file, growing the buffer as needed.
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                nint read;
                fixed (byte* p = &buffer[length])
                {
                    read = LinuxNative.read(fd, p, (nuint)(buffer.Length - length));
                }

                if (read == 0)
                {
                    return parse(buffer.AsSpan(0, length));
                }

                if (read < 0)
                {
                    if (Marshal.GetLastPInvokeError() == LinuxNative.EINTR)
                    {
                        continue;
                    }

                    return null; // e.g. ESRCH: the process is gone
                }

                length += (int)read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            LinuxNative.close(fd);
        }
    }

    /// <summary>
    /// <paramref name="parse"/> applied to what one read() call returned, with a buffer larger than the file (a fresh open
    /// and a larger buffer when it filled one); null when it cannot be read. For /proc/&lt;pid&gt;/environ and cmdline, which
    /// the kernel reads from the process's memory on every call, not from a snapshot taken at open as seq_file does for
    /// stat: a second call after an exec reads the new image (cmdline) or nothing (environ), so a read in chunks could
    /// join two programs' strings or stop half-way (measured: 512 of a 2 KB environment).
    /// </summary>
    public static unsafe T? TryReadInOneCall<T>(string path, Func<ReadOnlySpan<byte>, T?> parse)
        where T : class
    {
        for (int size = InitialBytes * 4; size <= MaxOneCallBytes; size *= 8)
        {
            int fd = LinuxNative.open(path, LinuxNative.O_RDONLY | LinuxNative.O_CLOEXEC, 0);
            if (fd < 0)
            {
                return null;
            }

            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                nint read;
                do
                {
                    fixed (byte* p = buffer)
                    {
                        read = LinuxNative.read(fd, p, (nuint)buffer.Length);
                    }
                }
                while (read < 0 && Marshal.GetLastPInvokeError() == LinuxNative.EINTR);

                if (read < 0)
                {
                    return null;
                }

                if (read < buffer.Length)
                {
                    return parse(buffer.AsSpan(0, (int)read));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                LinuxNative.close(fd);
            }
        }

        return null; // larger than any environment or argv the kernel lets a program start with
    }

    // argv and the environment together are limited to a quarter of the stack limit (2 MB by default); 128 MB is far beyond.
    private const int MaxOneCallBytes = 128 * 1024 * 1024;
}
