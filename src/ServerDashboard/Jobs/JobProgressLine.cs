using System.Globalization;

namespace ServerDashboard.Jobs;

/// <summary>
/// The progress protocol (docs/jobs.md): a line <c>##progress &lt;percent&gt; &lt;current task text&gt;</c> on stdout.
/// The percent is a number from 0 to 100 (a fraction and a trailing '%' are accepted; values outside are clamped);
/// the text is optional. Anything else is an ordinary log line.
/// </summary>
public static class JobProgressLine
{
    public const string Prefix = "##progress";
    public const int MaxTaskChars = 200;

    public static bool TryParse(string line, out double percent, out string? task)
    {
        percent = 0;
        task = null;
        var text = line.TrimEnd('\r');
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || text.Length == Prefix.Length || text[Prefix.Length] != ' ')
        {
            return false;
        }

        var rest = text[(Prefix.Length + 1)..].TrimStart();
        int space = rest.IndexOf(' ');
        var number = (space < 0 ? rest : rest[..space]).TrimEnd('%');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out percent) || !double.IsFinite(percent))
        {
            return false;
        }

        percent = Math.Clamp(percent, 0, 100);
        task = space < 0 ? null : rest[(space + 1)..].Trim() is { Length: > 0 } t ? (t.Length > MaxTaskChars ? t[..MaxTaskChars] : t) : null;
        return true;
    }
}
