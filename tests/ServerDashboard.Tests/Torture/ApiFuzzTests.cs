using ServerDashboard.Testing;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServerDashboard.Auth;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ServerDashboard.Tests.Torture;

/// <summary>Malformed JSON, nulls, wrong types, out-of-range enums, huge bodies and unique-field races: never a 5xx.</summary>
[Trait("Category", "Torture")]
public sealed class ApiFuzzTests(DashboardFactoryFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFactoryFixture>
{
    private static readonly string[] Fields =
        ["name", "command", "workingDirectory", "environment", "secretEnvironmentKeys", "port", "rcon", "stop", "restartPolicy",
         "limits", "runAsUser", "readyPattern", "logFiles", "notes"];

    private static readonly JsonNode?[] Oddities =
        [null, 0, -1, 99, int.MaxValue, 1e308, true, "", "x", "\u0000", new string('a', 100_000), new JsonArray(), new JsonArray((JsonNode?)null),
         new JsonArray(""), new JsonArray("a\u0000b"), new JsonObject(), new JsonObject { ["k"] = null }, new JsonObject { ["mode"] = 5 },
         new JsonObject { ["enabled"] = "yes" }, new JsonObject { ["port"] = -5, ["enabled"] = true }];

    [Fact]
    public async Task No_hostile_request_gets_a_5xx()
    {
        var factory = fixture.Factory;
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var random = new Random(TortureMode.Seed);
        var requests = TortureMode.Pick(400, 4_000);
        var statuses = new Dictionary<int, int>();
        var fiveHundreds = new List<string>();
        var existing = (await (await admin.PostAsync("/api/v1/servers", Json(Valid("fuzz-target")))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<int>();

        for (var i = 0; i < requests; i++)
        {
            var (method, url, body, what) = Next(random, i, existing);
            using var request = new HttpRequestMessage(method, url) { Content = body };
            var response = await admin.SendAsync(request);
            var code = (int)response.StatusCode;
            statuses[code] = statuses.GetValueOrDefault(code) + 1;
            if (code >= 500)
            {
                fiveHundreds.Add($"{method} {url} ({what}) -> {code}: {await response.Content.ReadAsStringAsync()}");
            }
        }

        // Races on unique fields: 30 creates with one name and one port at once.
        var port = FreePort.Next();
        var race = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
        {
            var body = Valid(i % 2 == 0 ? "fuzz-race" : $"fuzz-race-{i}");
            body["port"] = port;
            return admin.PostAsync("/api/v1/servers", Json(body));
        }));
        var raceCreated = race.Count(r => r.StatusCode == HttpStatusCode.Created);
        fiveHundreds.AddRange(race.Where(r => (int)r.StatusCode >= 500).Select(r => $"race -> {(int)r.StatusCode}"));

        output.WriteLine($"api fuzz ({TortureMode.Name}, seed {TortureMode.Seed}): {requests + 30} requests; status counts: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}"))}; race on one port: {raceCreated} created of 30; 5xx={fiveHundreds.Count}");
        foreach (var failure in fiveHundreds.Take(20))
        {
            output.WriteLine(failure);
        }

        Assert.Empty(fiveHundreds);
        Assert.Equal(1, raceCreated);
    }

    private static (HttpMethod, string, HttpContent?, string) Next(Random random, int i, int existing)
    {
        var url = random.Next(3) == 0 ? $"/api/v1/servers/{existing}" : "/api/v1/servers";
        var method = url == "/api/v1/servers" ? HttpMethod.Post : HttpMethod.Put;
        switch (random.Next(8))
        {
            case 0:
            {
                var json = Valid($"fuzz-{i}").ToJsonString();
                return (method, url, Raw(json[..random.Next(json.Length)]), "truncated JSON");
            }
            case 1:
            {
                var bytes = new byte[random.Next(1, 2000)];
                random.NextBytes(bytes);
                return (method, url, new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") } }, "random bytes");
            }
            case 2:
                return (method, url, Raw(random.Next(4) switch { 0 => "null", 1 => "[]", 2 => "42", _ => "\"text\"" }), "not an object");
            case 3:
            {
                var big = Valid($"fuzz-{i}");
                big["notes"] = new string('n', random.Next(2) == 0 ? 5_000_000 : 40_000);
                return (method, url, Json(big), "huge body");
            }
            case 4:
                return (HttpMethod.Post, $"/api/v1/servers/{existing}/commands", Raw(random.Next(2) == 0 ? "{\"command\": null}" : "{\"command\": " + new string('[', 5000) + "}"), "command junk");
            default:
            {
                var body = Valid($"fuzz-{i}-{random.Next()}");
                var field = Fields[random.Next(Fields.Length)];
                var odd = Oddities[random.Next(Oddities.Length)];
                body[field] = odd?.DeepClone();
                return (method, url, Json(body), $"{field}={odd?.ToJsonString() ?? "null"}");
            }
        }
    }

    private static JsonObject Valid(string name) =>
        JsonSerializer.SerializeToNode(ServerRequests.Valid(name), JsonDefaults.Options)!.AsObject();

    private static StringContent Json(JsonNode body) => Raw(body.ToJsonString());

    private static StringContent Raw(string text) => new(text, Encoding.UTF8, "application/json");
}
