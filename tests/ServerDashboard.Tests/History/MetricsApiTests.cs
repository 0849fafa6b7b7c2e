using System.Net;
using System.Text.Json;
using ServerDashboard.Auth;
using ServerDashboard.Servers.History;
using ServerDashboard.Servers.Monitoring;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.History;

public sealed class MetricsApiTests(HistoryFixture fixture) : IClassFixture<HistoryFixture>
{
    [Fact]
    public async Task The_series_comes_back_in_the_documented_shape()
    {
        var id = await fixture.CreateServerAsync("metrics-shape");
        var at = DateTimeOffset.Parse("2030-06-01T00:00:00Z");
        var store = fixture.Service<ResourceHistoryStore>();
        for (var i = 0; i < 4; i++)
        {
            await store.AppendAsync(new MonitoringTick(at.AddSeconds(5 * i), [new ServerSample(id, 1, true, 10 * i, 1_000 * i, 7, 3, 1)]), CancellationToken.None);
        }

        var viewer = await fixture.Factory.CreateClientWithRoleAsync(Roles.Viewer);
        var body = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/servers/{id}/metrics?from=2030-06-01T00:00:00Z&to=2030-06-01T00:01:00Z&step=10s");

        var samples = body.GetProperty("samples").EnumerateArray().ToList();
        Assert.Equal(2, samples.Count);
        Assert.Equal(["at", "cpuPercent", "memoryBytes", "openFiles", "threads"], samples[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(at, samples[0].GetProperty("at").GetDateTimeOffset());
        Assert.Equal(5, samples[0].GetProperty("cpuPercent").GetDouble());
        Assert.Equal(500, samples[0].GetProperty("memoryBytes").GetInt64());
        Assert.Equal(25, samples[1].GetProperty("cpuPercent").GetDouble());
        Assert.Equal(7, samples[1].GetProperty("openFiles").GetInt32());
        Assert.Equal(3, samples[1].GetProperty("threads").GetInt32());
    }

    [Theory]
    [InlineData("?from=yesterday", "from 'yesterday'")]
    [InlineData("?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", "from must be before to")]
    [InlineData("?step=0", "step '0'")]
    [InlineData("?step=abc", "step 'abc'")]
    [InlineData("?from=2030-01-01T00:00:00Z&to=2030-03-01T00:00:00Z&step=1", "at most 5000")]
    public async Task Bad_ranges_and_steps_are_a_400_with_the_reason(string query, string reason)
    {
        var id = await fixture.CreateServerAsync($"metrics-bad-{Guid.NewGuid():N}"[..30]);
        var viewer = await fixture.Factory.CreateClientWithRoleAsync(Roles.Viewer);

        var response = await viewer.GetAsync($"/api/v1/servers/{id}/metrics{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task No_samples_is_an_empty_series()
    {
        var id = await fixture.CreateServerAsync("metrics-empty");
        var viewer = await fixture.Factory.CreateClientWithRoleAsync(Roles.Viewer);

        var body = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/servers/{id}/metrics");

        Assert.Empty(body.GetProperty("samples").EnumerateArray());
    }
}
