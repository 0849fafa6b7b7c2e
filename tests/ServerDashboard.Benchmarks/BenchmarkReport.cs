using System.Globalization;
using System.Text.Json;

namespace ServerDashboard.Benchmarks;

/// <summary>Figures by name, with an optional target, printed as a table and saved as JSON.</summary>
public sealed class BenchmarkReport
{
    private readonly List<Row> rows = [];

    public void Add(string name, double value, string unit, string? target = null) => rows.Add(new Row(name, Math.Round(value, 2), unit, target));

    public double? Get(string name) => rows.LastOrDefault(r => r.Name == name)?.Value;

    public void PrintTable(TextWriter output)
    {
        var width = Math.Max(20, rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length));
        output.WriteLine();
        output.WriteLine($"{"scenario".PadRight(width)}  {"value",12}  unit    target");
        output.WriteLine(new string('-', width + 36));
        foreach (var row in rows)
        {
            output.WriteLine($"{row.Name.PadRight(width)}  {row.Value.ToString("0.##", CultureInfo.InvariantCulture),12}  {row.Unit,-6}  {row.Target}");
        }
    }

    public async Task WriteJsonAsync(string path)
    {
        var document = new { measuredAt = DateTimeOffset.UtcNow, machine = Environment.MachineName, cores = Environment.ProcessorCount, rows };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    }

    public sealed record Row(string Name, double Value, string Unit, string? Target);
}
