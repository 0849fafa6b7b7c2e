using ServerDashboard.Servers;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Servers;

public sealed class ExecutableResolverTests
{
    private readonly ExecutableResolver resolver = new();

    [Fact]
    public void A_program_is_found_on_the_given_path()
    {
        var result = resolver.Resolve("sh", null, "/nonexistent:/bin");

        Assert.Equal("/bin/sh", result.Path);
        Assert.Null(result.Error);
    }

    [Fact]
    public void A_file_without_execute_permission_is_refused_with_a_hint()
    {
        using var dir = new TempDirectory();
        var script = dir.Combine("run.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = resolver.Resolve(script, null, null);

        Assert.Null(result.Path);
        Assert.Contains("chmod +x", result.Error);
    }

    [Fact]
    public void A_relative_program_is_resolved_against_the_working_directory()
    {
        using var dir = new TempDirectory();
        var script = dir.Combine("run.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal(script, resolver.Resolve("./run.sh", dir.Path, null).Path);
        Assert.Contains("relative", resolver.Resolve("./run.sh", null, null).Error);
    }

    [Fact]
    public void A_directory_is_not_a_program() =>
        Assert.Contains("directory", resolver.Resolve("/tmp", null, null).Error);
}
