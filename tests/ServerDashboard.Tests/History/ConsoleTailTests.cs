using System.Text;
using ServerDashboard.Servers.Crashes;

namespace ServerDashboard.Tests.History;

public sealed class ConsoleTailTests
{
    private static Stream Text(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void The_last_lines_come_oldest_first_without_the_final_newline() =>
        Assert.Equal(["b", "c"], ConsoleTail.LastLines(Text("a\nb\r\nc\n"), 2));

    [Fact]
    public void A_last_line_without_a_newline_counts() =>
        Assert.Equal(["a", "b", "partial"], ConsoleTail.LastLines(Text("a\nb\npartial"), 10));

    [Fact]
    public void An_empty_file_has_no_lines() => Assert.Empty(ConsoleTail.LastLines(Text(""), 5));

    [Fact]
    public void A_huge_file_is_read_from_its_end_and_the_cut_line_is_dropped()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 100_000; i++)
        {
            text.Append("line ").Append(i).Append('\n');
        }

        var lines = ConsoleTail.LastLines(Text(text.ToString()), 50);

        Assert.Equal(50, lines.Count);
        Assert.Equal("line 99950", lines[0]);
        Assert.Equal("line 99999", lines[^1]);
    }

    [Fact]
    public void Very_long_lines_are_cut()
    {
        var line = Assert.Single(ConsoleTail.LastLines(Text(new string('x', 10_000) + "\n"), 1));

        Assert.Equal(ConsoleTail.MaxLineChars + 1, line.Length);
        Assert.EndsWith("…", line);
    }
}
