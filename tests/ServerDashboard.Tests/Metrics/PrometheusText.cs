using System.Globalization;
using System.Text;

namespace ServerDashboard.Tests.Metrics;

/// <summary>One sample line of the Prometheus text format: <c>name{label="value",...} 1.5</c>.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(string label, string value) => Labels.TryGetValue(label, out var v) && v == value;
}

/// <summary>A small parser for the text exposition format (enough to assert on; promtool checks the format itself).</summary>
public static class PrometheusText
{
    public static IReadOnlyList<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var labels = new Dictionary<string, string>();
            var i = 0;
            while (i < line.Length && line[i] != '{' && line[i] != ' ')
            {
                i++;
            }

            var name = line[..i];
            if (i < line.Length && line[i] == '{')
            {
                i++;
                while (line[i] != '}')
                {
                    var eq = line.IndexOf('=', i);
                    var key = line[i..eq];
                    i = eq + 2; // past ="
                    var value = new StringBuilder();
                    while (line[i] != '"')
                    {
                        if (line[i] == '\\')
                        {
                            i++;
                            value.Append(line[i] switch { 'n' => '\n', var c => c });
                        }
                        else
                        {
                            value.Append(line[i]);
                        }

                        i++;
                    }

                    labels[key] = value.ToString();
                    i++; // past "
                    if (line[i] == ',')
                    {
                        i++;
                    }
                }

                i++; // past }
            }

            var rest = line[i..].Trim().Split(' ')[0];
            var number = rest switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(rest, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new MetricSample(name, labels, number));
        }

        return samples;
    }

    /// <summary>The single sample of <paramref name="name"/> for server <paramref name="id"/> (and extra label filters).</summary>
    public static MetricSample? For(this IReadOnlyList<MetricSample> samples, string name, int id, params (string Label, string Value)[] also) =>
        samples.SingleOrDefault(s => s.Name == name && s.Has("id", id.ToString(CultureInfo.InvariantCulture)) && also.All(a => s.Has(a.Label, a.Value)));
}
