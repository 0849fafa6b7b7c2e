using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Servers;

public sealed class RconPasswordGeneratorTests
{
    [Fact]
    public void Passwords_are_at_least_20_url_safe_characters_and_differ()
    {
        var generator = new RconPasswordGenerator();

        var passwords = Enumerable.Range(0, 200).Select(_ => generator.Generate()).ToList();

        Assert.All(passwords, p => Assert.Matches("^[A-Za-z0-9_-]{20,}$", p));
        Assert.Equal(passwords.Count, passwords.Distinct().Count());
    }
}
