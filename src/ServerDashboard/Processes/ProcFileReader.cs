using System.Buffers;
using System.Text;

namespace ServerDashboard.Processes;

/// <summary>
/// Reads a small kernel-generated file (/proc, cgroupfs) in one go: an open, a read or two into a pooled buffer, a close.
/// <see cref="File.ReadAllText(string)"/> builds a FileStream, a 4 KB buffer and a StreamReader per call, which the
/// monitoring pass did a few hundred times every tick (docs/PERFORMANCE.md).
/// </summary>
internal static class ProcFileReader
{
    private const int InitialBytes = 4096;

    /// <summary>The file's text, or null when it cannot be read (the process exited, the cgroup was removed, no permission).</summary>
    public static string? TryReadAllText(string path)
    {
        byte[]? buffer = null;
        try
        {
            // Kernel files report a size of 0: read until end of file, growing the buffer as needed.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var grown = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }

                var read = RandomAccess.Read(handle, buffer.AsSpan(length), length);
                if (read == 0)
                {
                    return Encoding.UTF8.GetString(buffer, 0, length);
                }

                length += read;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process exited between listing and reading, or belongs to a user we may not inspect.
            return null;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
