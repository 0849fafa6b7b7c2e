using ServerDashboard.Processes;
using ServerDashboard.Text;

namespace ServerDashboard.Tests.Processes;

/// <summary>Strings from outside (PID files, other processes, users) never start a new line in the dashboard's log.</summary>
public sealed class LogForgingTests : IAsyncLifetime
{
    private readonly ProcessesHarness _h = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public void Escape_makes_line_breaks_and_control_characters_visible()
    {
        Assert.Equal("a\\nb\\r\\tc\\u0000d\\u001b[31m\\u2028", LogText.Escape("a\nb\r\tc\0d\u001b[31m\u2028"));
        Assert.Equal("plain text", LogText.Escape("plain text"));
        Assert.Equal("abc...", LogText.Escape("abcdef", maxLength: 3));
    }

    [Fact]
    public void A_PID_file_with_newlines_in_it_cannot_forge_a_log_line()
    {
        _h.Store.EnsureRunDirectory();
        string path = _h.Store.PathFor("3");
        File.WriteAllText(path, "9x\n[INF] forged line\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        _h.Get<PidFileValidator>().Validate("3");

        string line = Assert.Single(_h.Logs.LinesContaining("PID file check: server 3"));
        Assert.DoesNotContain('\n', line);
        Assert.Contains("forged line", line);
    }
}
