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
}
