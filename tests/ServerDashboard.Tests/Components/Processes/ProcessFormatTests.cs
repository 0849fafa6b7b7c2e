using ServerDashboard.Components.Processes;

namespace ServerDashboard.Tests.Components.Processes;

public sealed class ProcessFormatTests
{
    [Theory]
    [InlineData(0.0, "0 s")]
    [InlineData(42.7, "42 s")]
    [InlineData(725.0, "12 min 5 s")]
    [InlineData(11_520.0, "3 h 12 min")]
    [InlineData(187_200.0, "2 d 4 h")]
    [InlineData(null, "—")]
    [InlineData(-1.0, "—")]
    public void Uptime_reads_as_at_most_two_units(double? seconds, string expected) =>
        Assert.Equal(expected, ProcessFormat.Uptime(seconds));

    [Fact]
    public void Counts_pluralize() =>
        Assert.Equal(("1 dead entry", "3 dead entries"), (ProcessFormat.Count(1, "dead entry", "dead entries"), ProcessFormat.Count(3, "dead entry", "dead entries")));
}
