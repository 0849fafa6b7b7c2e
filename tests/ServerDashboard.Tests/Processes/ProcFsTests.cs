using ServerDashboard.Processes;

namespace ServerDashboard.Tests.Processes;

public sealed class ProcFsTests
{
    private readonly ProcFs _procFs = new();

    [Fact]
    public void A_command_name_with_spaces_and_parentheses_does_not_shift_the_fields()
    {
        const string text = "4242 (my (weird) ) name)) S 1 4242 4242 0 -1 4194560 100 0 0 0 11 22 0 0 20 0 3 0 98765 1000000 321 18446744073709551615";

        ProcStat stat = ProcStat.TryParse(text)!;

        Assert.Equal(4242, stat.Pid);
        Assert.Equal("my (weird) ) name)", stat.Comm);
        Assert.Equal('S', stat.State);
        Assert.Equal(1, stat.ParentPid);
        Assert.Equal(4242, stat.ProcessGroupId);
        Assert.Equal(4242, stat.SessionId);
        Assert.Equal(11UL, stat.UserTicks);
        Assert.Equal(22UL, stat.SystemTicks);
        Assert.Equal(3, stat.ThreadCount);
        Assert.Equal(98765UL, stat.StartTime);
        Assert.Equal(321, stat.RssPages);
    }

    [Fact]
    public void The_kernels_own_bytes_parse_as_its_text_does()
    {
        // As the kernel writes it: UTF-8, one line, a trailing newline right after the last field.
        byte[] bytes = File.ReadAllBytes($"/proc/{Environment.ProcessId}/stat");
        Assert.Equal((byte)'\n', bytes[^1]);

        ProcStat fromBytes = ProcStat.TryParse(bytes)!;
        ProcStat fromText = ProcStat.TryParse(System.Text.Encoding.UTF8.GetString(bytes))!;

        Assert.Equal(Environment.ProcessId, fromBytes.Pid);
        Assert.Equal(fromText, fromBytes);
        Assert.Equal(_procFs.TryGetIdentity(Environment.ProcessId)!.StartTime, fromBytes.StartTime);
    }

    [Fact]
    public void The_resident_set_may_be_the_last_field_before_the_newline()
    {
        // Older kernels and containers with fewer fields: field 24 (rss) can end the line.
        ProcStat stat = ProcStat.TryParse("7 (sh) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 42 0 99\n")!;

        Assert.Equal(99, stat.RssPages);
        Assert.Equal(42UL, stat.StartTime);
        Assert.Equal('R', stat.State);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("12 (sleep) S 1 2")]
    [InlineData("x (sleep) S 1 12 12 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 1")]
    [InlineData("12 (sleep) SS 1 12 12 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 1")]
    [InlineData("12 (sleep) S 1 12 12 0 -1 0 0 0 0 0 1 x 0 0 20 0 1 0 5 0 1")]
    [InlineData("12 (sleep) S 1 12 12 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 -5 0 1")]
    public void Malformed_stat_text_parses_to_null(string text) => Assert.Null(ProcStat.TryParse(text));

    [Fact]
    public void The_test_process_reads_as_alive_with_a_stable_identity()
    {
        ProcessIdentity identity = _procFs.TryGetIdentity(Environment.ProcessId)!;

        Assert.Equal(IdentityStatus.Alive, _procFs.Check(identity));
        Assert.Equal(IdentityStatus.StartTimeChanged, _procFs.Check(identity with { StartTime = identity.StartTime + 1 }));
        Assert.Equal(IdentityStatus.BootIdChanged, _procFs.Check(identity with { BootId = Guid.NewGuid().ToString() }));
        Assert.Equal(36, _procFs.BootId.Length);
        Assert.True(_procFs.ClockTicksPerSecond > 0);
        Assert.InRange(_procFs.StartTimeOf(identity.StartTime), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
    }

    [Fact]
    public void A_process_that_does_not_exist_reads_as_gone_and_as_nulls()
    {
        const int unlikelyPid = int.MaxValue - 1;

        Assert.Null(_procFs.TryReadStat(unlikelyPid));
        Assert.Null(_procFs.TryReadExe(unlikelyPid));
        Assert.Null(_procFs.TryReadCmdline(unlikelyPid));
        Assert.Null(_procFs.CountOpenFds(unlikelyPid));
        Assert.Equal(IdentityStatus.Gone, _procFs.Check(new ProcessIdentity(_procFs.BootId, unlikelyPid, 1)));
    }

    [Fact]
    public void Cmdline_and_fd_count_of_the_test_process_are_readable()
    {
        Assert.NotEmpty(_procFs.TryReadCmdline(Environment.ProcessId)!);
        Assert.True(_procFs.CountOpenFds(Environment.ProcessId) > 3);
        Assert.Contains(_procFs.ListPids(), p => p == Environment.ProcessId);
    }

    [Fact]
    public void The_open_file_count_of_a_child_is_the_number_of_its_fd_entries()
    {
        // Stdin, stdout and stderr redirected plus the ones we add with bash: a count that differs from 3 by design.
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/bash",
            ["-c", "exec 5</dev/null 6</dev/null 7</dev/null; exec sleep 30"]) { RedirectStandardInput = true, RedirectStandardOutput = true })!;
        try
        {
            // Until bash has exec'd sleep its fds are in flux: wait for the comm to change.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (_procFs.TryReadStat(child.Id)?.Comm != "sleep" && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }

            var listed = Directory.EnumerateFileSystemEntries($"/proc/{child.Id}/fd").Count();
            Assert.Equal(listed, _procFs.CountOpenFds(child.Id));
            Assert.True(listed >= 6, $"{listed} fds");
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    [Fact]
    public void The_environment_area_is_read_from_the_kernels_stat_line()
    {
        EnvironmentArea own = ProcFileReaderArea(Environment.ProcessId)!;
        Assert.True(own.IsLaidOut);
        Assert.False(own.IsEmpty);
        Assert.Equal((ulong)File.ReadAllBytes($"/proc/{Environment.ProcessId}/environ").Length, own.End - own.Start);

        Assert.Null(ProcStat.TryParseEnvironmentArea("12 (sleep) S 1 12 12 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 1\n"u8));
        Assert.Null(ProcStat.TryParseEnvironmentArea("garbage"u8));
    }

    [Fact]
    public void A_process_exec_ing_in_a_loop_never_reads_as_having_no_environment()
    {
        // Each image lives for about a millisecond, so reads keep landing in the middle of an exec, where a plain read of
        // environ comes out empty (≈ 1 in 270) or cut short (read in chunks: 43 of ≈ 100,000 here). ProcFs.TryReadSettledEnviron.
        const string chain = """n=$1; if [ "$n" -ge 3000 ]; then exec sleep 30; fi; exec /bin/sh -c "$0" "$0" $((n+1))""";
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", chain, chain, "0"]) { UseShellExecute = false };
        start.Environment["SD_TEST_MARKER"] = "still-here";
        using var child = System.Diagnostics.Process.Start(start)!;
        int reads = 0, missing = 0;
        try
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while (_procFs.TryReadStat(child.Id)?.Comm != "sleep" && DateTime.UtcNow < until)
            {
                if (_procFs.TryReadSettledEnviron(child.Id, TimeProvider.System, TimeSpan.FromSeconds(10)) is { } environ)
                {
                    reads++;
                    missing += environ.AsSpan().IndexOf("SD_TEST_MARKER=still-here\0"u8) >= 0 ? 0 : 1;
                }
            }
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }

        Assert.True(reads > 1000, $"only {reads} reads while the chain ran");
        Assert.True(missing == 0, $"{missing} of {reads} reads lacked the variable");
    }

    [Fact]
    public async Task A_process_started_with_no_environment_reads_empty_without_waiting_for_the_deadline()
    {
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sleep", ["30"]) { UseShellExecute = false };
        start.Environment.Clear();
        using var child = System.Diagnostics.Process.Start(start)!;
        try
        {
            // A fake clock never reaches the deadline: an answer proves the empty environment was believed, not timed out.
            var clock = new FakeTimeProvider();
            byte[]? environ = await Task.Run(() => _procFs.TryReadSettledEnviron(child.Id, clock, TimeSpan.FromSeconds(1)))
                .WaitAsync(TimeSpan.FromSeconds(30));

            Assert.NotNull(environ);
            Assert.Empty(environ);
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    private static EnvironmentArea? ProcFileReaderArea(int pid) => ProcStat.TryParseEnvironmentArea(File.ReadAllBytes($"/proc/{pid}/stat"));
}
