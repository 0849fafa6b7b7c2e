using ServerDashboard.Servers.History;

namespace ServerDashboard.Tests.History;

public sealed class MetricsRangeTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T18:00:00Z");

    [Fact]
    public void Without_parameters_it_is_the_last_hour_in_at_most_the_default_number_of_points()
    {
        var (range, error) = MetricsRange.Parse(null, null, null, Now);

        Assert.Null(error);
        Assert.Equal(Now.AddHours(-1), range!.From);
        Assert.Equal(Now, range.To);
        Assert.Equal(5, range.StepSeconds); // 3600 s / 720 points
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1d", 86400)]
    public void A_step_is_seconds_or_a_number_with_a_unit(string step, int seconds) =>
        Assert.Equal(seconds, MetricsRange.Parse("2026-12-01T06:00:00Z", null, step, Now).Range!.StepSeconds);

    [Theory]
    [InlineData("yesterday", null, null, "from 'yesterday'")]
    [InlineData(null, "soon", null, "to 'soon'")]
    [InlineData("2026-12-01T18:00:00Z", "2026-12-01T17:00:00Z", null, "from must be before to")]
    [InlineData("2026-12-01T18:00:00Z", "2026-12-01T18:00:00Z", null, "from must be before to")]
    [InlineData("2020-01-01T00:00:00Z", null, "1d", "at most 366 days")]
    [InlineData(null, null, "0", "step '0'")]
    [InlineData(null, null, "-5", "step '-5'")]
    [InlineData(null, null, "5x", "step '5x'")]
    [InlineData(null, null, "2d", "step '2d'")]
    [InlineData(null, null, "99999999999", "step '99999999999'")]
    [InlineData("2026-11-01T18:00:00Z", null, "1", "at most 5000 are returned (use step ≥ 519)")]
    public void Bad_input_is_refused_with_a_reason(string? from, string? to, string? step, string reason)
    {
        var (range, error) = MetricsRange.Parse(from, to, step, Now);

        Assert.Null(range);
        Assert.Contains(reason, error);
    }
}
