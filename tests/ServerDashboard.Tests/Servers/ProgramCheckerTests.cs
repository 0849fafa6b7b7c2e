using ServerDashboard.Processes;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Servers;

public sealed class ProgramCheckerTests
{
    private readonly ProgramChecker checker = new(new ExecutableResolver());

    [Fact]
    public void A_program_is_found_on_the_given_path()
    {
        Assert.Null(checker.Check("sh", null, "/nonexistent:/bin"));
        Assert.Contains("not found on PATH", checker.Check("sh", null, "/nonexistent"));
    }

    [Fact]
    public void A_file_without_execute_permission_is_refused_with_a_hint()
    {
        using var dir = new TempDirectory();
        var script = dir.Combine("run.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Contains("chmod +x", checker.Check(script, null, null));
    }

    [Fact]
    public void A_relative_program_is_resolved_against_the_working_directory()
    {
        using var dir = new TempDirectory();
        var script = dir.Combine("run.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Null(checker.Check("./run.sh", dir.Path, null));
        Assert.Contains("relative", checker.Check("./run.sh", null, null));
    }

    [Fact]
    public void A_directory_is_not_a_program() =>
        Assert.Contains("directory", checker.Check("/tmp", null, null));
}
