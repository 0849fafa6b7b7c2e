using System.Runtime.InteropServices;

namespace ServerDashboard.Processes.Native;

// User database lookups (NSS through glibc, so LDAP/sssd users resolve too).
internal static unsafe partial class LinuxNative
{
    [LibraryImport(Libc, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int getpwnam_r(string name, byte* passwd, byte* buffer, nuint bufferLength, byte** result);

    /// <summary>The uid and primary gid of <paramref name="name"/>, or null if there is no such user.</summary>
    public static (uint Uid, uint Gid)? LookupUser(string name)
    {
        // struct passwd: pw_name, pw_passwd (pointers), pw_uid, pw_gid (32-bit), then three more pointers: 48 bytes on LP64.
        byte* passwd = stackalloc byte[64];
        const int bufferLength = 16 * 1024;
        byte* buffer = (byte*)NativeMemory.Alloc(bufferLength);
        try
        {
            byte* result = null;
            int rc = getpwnam_r(name, passwd, buffer, bufferLength, &result);
            if (rc != 0)
            {
                throw IOFromErrno(rc, $"getpwnam_r({name})");
            }

            return result is null ? null : (*(uint*)(passwd + 2 * sizeof(nint)), *(uint*)(passwd + 2 * sizeof(nint) + 4));
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }
}
