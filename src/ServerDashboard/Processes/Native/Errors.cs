using System.Runtime.InteropServices;

namespace ServerDashboard.Processes.Native;

// Errno helpers: turn an error number into an exception whose message names the call and the error.
internal static partial class LinuxNative
{
    public static string DescribeErrno(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    public static IOException IOFromErrno(int errno, string what) => new($"{what} failed: {DescribeErrno(errno)}", errno);

    public static IOException LastIOError(string what) => IOFromErrno(Marshal.GetLastPInvokeError(), what);
}
