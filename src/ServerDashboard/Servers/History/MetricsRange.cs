using System.Globalization;

namespace ServerDashboard.Servers.History;

/// <summary>
/// A checked <c>?from=&amp;to=&amp;step=</c>: ISO 8601 instants (default: the last hour), a step in seconds or with a unit
/// (<c>30</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>; default: what keeps the series to <see cref="DefaultPoints"/>),
/// never more than <see cref="MaxPoints"/> points.
/// </summary>
public sealed record MetricsRange(DateTimeOffset From, DateTimeOffset To, int StepSeconds)
{
    public const int MaxPoints = 5_000;
    public const int DefaultPoints = 720;
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(366);
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromHours(1);

    /// <summary>The range, or the reason it is not one (a 400's detail).</summary>
    public static (MetricsRange? Range, string? Error) Parse(string? from, string? to, string? step, DateTimeOffset now)
    {
        DateTimeOffset end = now;
        if (!string.IsNullOrWhiteSpace(to) && !TryInstant(to, out end))
        {
            return (null, $"to '{to}' is not an ISO 8601 date and time (e.g. 2026-12-01T18:00:00Z).");
        }

        DateTimeOffset start = end - DefaultSpan;
        if (!string.IsNullOrWhiteSpace(from) && !TryInstant(from, out start))
        {
            return (null, $"from '{from}' is not an ISO 8601 date and time (e.g. 2026-12-01T17:00:00Z).");
        }

        if (start >= end)
        {
            return (null, "from must be before to.");
        }

        var span = end - start;
        if (span > MaxSpan)
        {
            return (null, $"The range may span at most {MaxSpan.TotalDays} days.");
        }

        int seconds;
        if (string.IsNullOrWhiteSpace(step))
        {
            seconds = (int)Math.Max(1, Math.Ceiling(span.TotalSeconds / DefaultPoints));
        }
        else if (!TryStep(step.Trim(), out seconds))
        {
            return (null, $"step '{step}' is not a duration: use whole seconds (60) or a number with s, m, h or d (5m), from 1 s to 1 d.");
        }

        var points = Math.Ceiling(span.TotalSeconds / seconds);
        if (points > MaxPoints)
        {
            var smallest = (int)Math.Ceiling(span.TotalSeconds / MaxPoints);
            return (null, $"step {seconds} s would give {points:0} points for this range; at most {MaxPoints} are returned (use step ≥ {smallest}).");
        }

        return (new MetricsRange(start, end, seconds), null);
    }

    private static bool TryInstant(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);

    private static bool TryStep(string text, out int seconds)
    {
        seconds = 0;
        var unit = char.IsLetter(text[^1]) ? char.ToLowerInvariant(text[^1]) : 's';
        var number = char.IsLetter(text[^1]) ? text[..^1] : text;
        var factor = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        if (factor == 0 || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || (long)n * factor > 86400)
        {
            return false;
        }

        seconds = n * factor;
        return true;
    }
}
