using ServerDashboard.Processes;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Security;

/// <summary>Finding 1: files a game account can influence are opened without following links, beneath their directory.</summary>
public sealed class SafeFileOpenerTests : IDisposable
{
    private readonly TempDirectory temp = new("sd-safeopen");

    public static TheoryData<bool> Ways => new() { true, false }; // openat2, and the O_NOFOLLOW walk used without it

    [Theory]
    [MemberData(nameof(Ways))]
    public void A_regular_file_beneath_the_directory_opens(bool openat2)
    {
        Directory.CreateDirectory(temp.Combine("logs"));
        File.WriteAllText(temp.Combine("logs", "latest.log"), "hello\n");

        using var handle = SafeFileOpener.Open(temp.Path, "logs/latest.log", SafeOpenMode.Read, openat2);
        using var stream = new FileStream(handle, FileAccess.Read);

        Assert.Equal("hello\n", new StreamReader(stream).ReadToEnd());
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void A_symlinked_file_is_refused(bool openat2)
    {
        var secret = temp.Combine("secret");
        UnixAccounts.WriteRootOnly(secret, "top secret");
        Directory.CreateDirectory(temp.Combine("wd"));
        File.CreateSymbolicLink(temp.Combine("wd", "latest.log"), secret);

        Assert.Throws<UnsafeFileException>(() => SafeFileOpener.Open(temp.Combine("wd"), "latest.log", SafeOpenMode.Read, openat2));
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void A_symlinked_directory_on_the_way_is_refused(bool openat2)
    {
        Directory.CreateDirectory(temp.Combine("elsewhere"));
        File.WriteAllText(temp.Combine("elsewhere", "latest.log"), "not yours");
        Directory.CreateDirectory(temp.Combine("wd"));
        Directory.CreateSymbolicLink(temp.Combine("wd", "logs"), temp.Combine("elsewhere"));

        Assert.Throws<UnsafeFileException>(() => SafeFileOpener.Open(temp.Combine("wd"), "logs/latest.log", SafeOpenMode.Read, openat2));
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void A_path_leaving_the_directory_is_refused(bool openat2)
    {
        File.WriteAllText(temp.Combine("outside"), "x");
        Directory.CreateDirectory(temp.Combine("wd"));

        Assert.Throws<UnsafeFileException>(() => SafeFileOpener.Open(temp.Combine("wd"), "../outside", SafeOpenMode.Read, openat2));
        Assert.Throws<UnsafeFileException>(() => SafeFileOpener.Open(temp.Combine("wd"), temp.Combine("outside"), SafeOpenMode.Read, openat2));
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void A_fifo_or_a_hard_link_is_refused(bool openat2)
    {
        Assert.Equal(0, ServerDashboard.Processes.Native.LinuxNative.mkfifo(temp.Combine("fifo"), 0x1B6));
        Assert.Throws<UnsafeFileException>(() => SafeFileOpener.Open(temp.Path, "fifo", SafeOpenMode.Read, openat2));

        File.WriteAllText(temp.Combine("target"), "x");
        using (var ln = System.Diagnostics.Process.Start("ln", [temp.Combine("target"), temp.Combine("hardlink")]))
        {
            ln.WaitForExit();
        }

        Assert.Throws<UnsafeFileException>(() => SafeFileOpener.Open(temp.Path, "hardlink", SafeOpenMode.Read, openat2));
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void Append_create_through_a_dangling_symlink_does_not_create_its_target(bool openat2)
    {
        var target = temp.Combine("created-by-root");
        File.CreateSymbolicLink(temp.Combine("console.log"), target);

        Assert.Throws<UnsafeFileException>(() => SafeFileOpener.Open(temp.Path, "console.log", SafeOpenMode.AppendCreate, openat2));
        Assert.False(File.Exists(target));

        using (SafeFileOpener.Open(temp.Path, "new.log", SafeOpenMode.AppendCreate, openat2))
        {
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(temp.Combine("new.log")));
    }

    [Fact]
    public void A_missing_file_is_file_not_found()
    {
        Assert.Throws<FileNotFoundException>(() => SafeFileOpener.Open(temp.Path, "nope.log", SafeOpenMode.Read));
    }

    public void Dispose() => temp.Dispose();
}
