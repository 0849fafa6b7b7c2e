using System.Globalization;
using System.Text;

namespace ServerDashboard.Text;

/// <summary>
/// Makes an externally supplied string (a PID file's content, another process's command line, a user or file name, a
/// peer's reply) safe to put in a log message: line breaks and every other control or format character become visible
/// escapes, so nobody can forge a dashboard log line by putting a newline in something we log.
/// </summary>
public static class LogText
{
    /// <summary>Escapes control characters (<c>\n</c>, <c>\r</c>, <c>\t</c>, others as <c>\uXXXX</c>) and cuts at <paramref name="maxLength"/>.</summary>
    public static string Escape(string? text, int maxLength = 1000)
    {
        if (text is null)
        {
            return "";
        }

        if (!NeedsEscaping(text) && text.Length <= maxLength)
        {
            return text;
        }

        var escaped = new StringBuilder(Math.Min(text.Length, maxLength) + 16);
        foreach (char c in text)
        {
            if (escaped.Length >= maxLength)
            {
                escaped.Append("...");
                break;
            }

            switch (c)
            {
                case '\n': escaped.Append("\\n"); break;
                case '\r': escaped.Append("\\r"); break;
                case '\t': escaped.Append("\\t"); break;
                default:
                    if (IsUnsafe(c))
                    {
                        escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        escaped.Append(c);
                    }

                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>An argv as one escaped string (arguments joined by spaces).</summary>
    public static string Escape(IEnumerable<string>? argv, int maxLength = 1000) =>
        argv is null ? "" : Escape(string.Join(' ', argv), maxLength);

    private static bool NeedsEscaping(string text)
    {
        foreach (char c in text)
        {
            if (IsUnsafe(c) || c is '\n' or '\r' or '\t')
            {
                return true;
            }
        }

        return false;
    }

    // C0/C1 controls, and the line/paragraph separators and bidi controls that some viewers render as line breaks or reorder.
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
}
