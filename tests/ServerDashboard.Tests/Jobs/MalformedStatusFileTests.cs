using System.Text;
using ServerDashboard.Jobs;

namespace ServerDashboard.Tests.Jobs;

/// <summary>Status files the dashboard did not write (or that were damaged) are reported one by one; the list never breaks.</summary>
public sealed class MalformedStatusFileTests
{
    public static TheoryData<string, string> Kinds => new()
    {
        { "empty", "empty" },
        { "garbage", "not valid JSON" },
        { "truncated", "not valid JSON" },
        { "null", "holds null" },
        { "array", "not valid JSON" },
        { "huge", "too large" },
        { "symlink", "symbolic link" },
        { "wrongowner", "owned by uid" },
        { "directory", "directory" },
        { "fifo", "not a regular file" },
        { "hardlink", "more than one name" },
        { "nopid", "no valid pid" },
        { "badstatus", "unknown status" },
        { "badprogress", "progress outside" },
        { "binary", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_malformed_status_file_is_reported_and_the_list_and_polling_go_on(string kind, string problem)
    {
        await using var jobs = new JobsHarness();
        jobs.Files.EnsureDirectory();
        var good = await jobs.StartAsync("good", "sleep", "30");
        Plant(jobs, kind);

        await jobs.Runner.PollAsync(CancellationToken.None); // must not throw
        var list = jobs.Runner.ListCurrent();

        var bad = Assert.Single(list, r => r.Name == kind);
        Assert.Null(bad.Record);
        Assert.Contains(problem, bad.Problem);
        Assert.Equal(good.Pid, Assert.Single(list, r => r.Name == "good").Record!.Pid);
        Assert.True(File.Exists(jobs.Files.Directory + "/" + kind + ".status") || Directory.Exists(jobs.Files.Directory + "/" + kind + ".status")
                    || new FileInfo(jobs.Files.Directory + "/" + kind + ".status").LinkTarget is not null, "a malformed file is reported, never deleted");
        await jobs.Runner.CancelAsync("good", TimeSpan.FromSeconds(5), "tester", CancellationToken.None);
    }

    private static void Plant(JobsHarness jobs, string kind)
    {
        string path = jobs.Files.StatusPath(kind);
        string valid = """{"pid": 123, "start_time": 1.5, "status": "running", "command": ["x"], "last_update": 1.5}""";
        switch (kind)
        {
            case "empty": File.WriteAllText(path, ""); break;
            case "garbage": File.WriteAllText(path, "this is not json {"); break;
            case "truncated": File.WriteAllText(path, valid[..30]); break;
            case "null": File.WriteAllText(path, "null"); break;
            case "array": File.WriteAllText(path, "[1,2,3]"); break;
            case "huge": File.WriteAllText(path, "{\"pid\": 1, \"command\": [\"" + new string('a', JobFiles.MaxStatusBytes) + "\"]}"); break;
            case "symlink": File.CreateSymbolicLink(path, "/etc/passwd"); break;
            case "wrongowner":
                File.WriteAllText(path, valid);
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                Chown(path, 65534);
                break;
            case "directory": Directory.CreateDirectory(path); break;
            case "fifo":
                Assert.Equal(0, RunAndWait("mkfifo", path));
                break;
            case "hardlink":
                File.WriteAllText(path + ".orig", valid);
                Assert.Equal(0, RunAndWait("ln", path + ".orig", path));
                break;
            case "nopid": File.WriteAllText(path, valid.Replace("123", "-4")); break;
            case "badstatus": File.WriteAllText(path, valid.Replace("\"running\"", "\"exploded\"")); break;
            case "badprogress": File.WriteAllText(path, valid.Replace("\"last_update\"", "\"progress\": 500, \"last_update\"")); break;
            case "binary": File.WriteAllBytes(path, [0xff, 0xfe, 0x00, 0x01, .. Encoding.UTF8.GetBytes("{")]); break;
        }
    }

    private static void Chown(string path, int uid) =>
        Assert.Equal(0, RunAndWait("chown", uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path));

    private static int RunAndWait(string program, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(program, args)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
