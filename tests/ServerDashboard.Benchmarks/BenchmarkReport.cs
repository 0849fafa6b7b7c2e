using System.Globalization;
using System.Text.Json;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// Figures by name, with an optional target, and verdicts (ours beside the peer measured in the same run, the ratio,
/// the target, pass/fail), printed as tables and saved as JSON.
/// </summary>
public sealed class BenchmarkReport
{
    private readonly List<Row> rows = [];
    private readonly List<Verdict> verdicts = [];

    public void Add(string name, double value, string unit, string? target = null) => rows.Add(new Row(name, Math.Round(value, 2), unit, target));

    public double? Get(string name) => rows.LastOrDefault(r => r.Name == name)?.Value;

    /// <summary>A scenario judged by its ratio to the peer: passes when ours/peer is at most (or, for rates, at least) <paramref name="maxRatio"/>.</summary>
    public void VerdictByRatio(string scenario, string ours, string unit, string peer, string peerRow, double maxRatio, bool higherIsBetter = false, double peerScale = 1)
    {
        var a = Get(ours);
        var b = Get(peerRow) * peerScale;
        double? ratio = a is not null && b is > 0 ? a / b : null;
        bool? pass = ratio is null ? null : higherIsBetter ? ratio >= maxRatio : ratio <= maxRatio;
        verdicts.Add(new Verdict(scenario, a, unit, peer, b is null ? null : Math.Round(b.Value, 2), ratio is null ? null : Math.Round(ratio.Value, 2),
            higherIsBetter ? $"≥ {maxRatio:0.##} × {peer}" : $"≤ {maxRatio:0.##} × {peer}", pass));
    }

    /// <summary>A scenario judged by an absolute bound (the peer, when there is one, is shown for scale).</summary>
    public void VerdictByValue(string scenario, string ours, string unit, double max, string? peer = null, string? peerRow = null, double peerScale = 1, double? oursValue = null)
    {
        var a = oursValue ?? Get(ours);
        var b = peerRow is null ? null : Get(peerRow) * peerScale;
        double? ratio = a is not null && b is > 0 ? a / b : null;
        verdicts.Add(new Verdict(scenario, a is null ? null : Math.Round(a.Value, 2), unit, peer, b is null ? null : Math.Round(b.Value, 2),
            ratio is null ? null : Math.Round(ratio.Value, 2), $"≤ {max:0.##} {unit}", a is null ? null : a <= max));
    }

    public void PrintTable(TextWriter output)
    {
        var width = Math.Max(20, rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length));
        output.WriteLine();
        output.WriteLine($"{"figure".PadRight(width)}  {"value",12}  unit    target");
        output.WriteLine(new string('-', width + 36));
        foreach (var row in rows)
        {
            output.WriteLine($"{row.Name.PadRight(width)}  {row.Value.ToString("0.##", CultureInfo.InvariantCulture),12}  {row.Unit,-6}  {row.Target}");
        }

        if (verdicts.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("| Scenario | Ours | Peer (same run) | Ratio | Target | Result |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (var v in verdicts)
        {
            var peer = v.PeerValue is { } p ? $"{v.Peer} {Format(p)} {v.Unit}" : v.Peer ?? "—";
            var result = v.Pass switch { true => "pass", false => "FAIL", null => "not measured" };
            output.WriteLine($"| {v.Scenario} | {(v.Ours is { } o ? $"{Format(o)} {v.Unit}" : "—")} | {peer} | {(v.Ratio is { } r ? $"{Format(r)} ×" : "—")} | {v.Target} | {result} |");
        }
    }

    public async Task WriteJsonAsync(string path)
    {
        var document = new { measuredAt = DateTimeOffset.UtcNow, machine = Environment.MachineName, cores = Environment.ProcessorCount, loadAverage = LoadAverage(), verdicts, rows };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    }

    /// <summary>/proc/loadavg at the end of the run: the figures are only comparable on a quiet machine.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";

    private static string Format(double value) => value.ToString(value >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture);

    public sealed record Row(string Name, double Value, string Unit, string? Target);

    public sealed record Verdict(string Scenario, double? Ours, string Unit, string? Peer, double? PeerValue, double? Ratio, string Target, bool? Pass);
}
