using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Servers;

public sealed class PlaceholdersTests
{
    private static readonly PlaceholderValues Values = new(25565, 25575, "s3cret", "/data/servers/7", "/data", 2048);

    [Theory]
    [InlineData("--port={port}", "--port=25565")]
    [InlineData("{rconPort}", "25575")]
    [InlineData("{rconPassword}", "s3cret")]
    [InlineData("{serverDir}/world", "/data/servers/7/world")]
    [InlineData("{dataDir}", "/data")]
    [InlineData("-Xmx{memory}M", "-Xmx2048M")]
    [InlineData("{port}:{port}", "25565:25565")]
    public void Known_placeholders_are_expanded(string text, string expected) =>
        Assert.Equal(expected, Placeholders.Expand(text, Values));

    [Theory]
    [InlineData("{\"json\": true}")]
    [InlineData("{unknown}")]
    [InlineData("{Port}")]
    [InlineData("plain")]
    public void Other_braces_are_left_alone(string text) => Assert.Equal(text, Placeholders.Expand(text, Values));

    [Fact]
    public void Unset_values_expand_to_nothing() =>
        Assert.Equal("--port=", Placeholders.Expand("--port={port}", Values with { Port = null }));
}
