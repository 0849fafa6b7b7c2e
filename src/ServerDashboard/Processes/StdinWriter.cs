using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>Why a console line could not be written to a daemon's stdin FIFO; the message is meant for the user.</summary>
public sealed class StdinWriteException(string message) : IOException(message);

/// <summary>Linux-only: writes one console line to a daemon's stdin FIFO.</summary>
public sealed class StdinWriter
{
    /// <summary>
    /// Writes <paramref name="line"/> (already newline-terminated) in one write(2). Lines up to PIPE_BUF (4096 bytes) are
    /// written atomically, so two concurrent senders never interleave within a line.
    /// </summary>
    /// <exception cref="StdinWriteException">No reader (the daemon is gone), or the daemon stopped reading its input.</exception>
    public unsafe void WriteLine(string path, ReadOnlySpan<byte> line)
    {
        // O_NONBLOCK: a plain O_WRONLY open of a FIFO without a reader blocks forever; non-blocking it fails with ENXIO.
        // The daemon holds its FIFO open O_RDWR as stdin, so while it lives there is always a reader — even after a
        // dashboard restart, which is why the FIFO (not a pipe we own) is its stdin.
        int fd = LinuxNative.open(path, LinuxNative.O_WRONLY | LinuxNative.O_NONBLOCK | LinuxNative.O_CLOEXEC | LinuxNative.O_NOCTTY, 0);
        if (fd < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw new StdinWriteException(errno == LinuxNative.ENXIO
                ? "the server has no console input open (it is not running)"
                : $"cannot open the server's console input '{path}': {LinuxNative.DescribeErrno(errno)}");
        }

        try
        {
            fixed (byte* bytes = line)
            {
                nint written;
                do
                {
                    written = LinuxNative.write(fd, bytes, (nuint)line.Length);
                }
                while (written < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == LinuxNative.EINTR);

                if (written < 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    // EAGAIN: the 64 KiB pipe buffer is full, i.e. the server stopped reading its console; never wait for it.
                    throw new StdinWriteException(errno == LinuxNative.EAGAIN
                        ? "the server is not reading its console input (the input buffer is full)"
                        : $"cannot write to the server's console input: {LinuxNative.DescribeErrno(errno)}");
                }

                if (written != line.Length)
                {
                    throw new StdinWriteException($"only {written} of {line.Length} bytes reached the server's console input");
                }
            }
        }
        finally
        {
            LinuxNative.close(fd);
        }
    }
}
