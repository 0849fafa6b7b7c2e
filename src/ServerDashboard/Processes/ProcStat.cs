using System.Globalization;

namespace ServerDashboard.Processes;

/// <summary>The fields of /proc/&lt;pid&gt;/stat the dashboard uses (see proc(5)).</summary>
/// <param name="StartTime">Field 22: clock ticks after boot at which the process started.</param>
/// <param name="RssPages">Field 24, in pages.</param>
public sealed record ProcStat(
    int Pid,
    string Comm,
    char State,
    int ParentPid,
    int ProcessGroupId,
    int SessionId,
    ulong UserTicks,
    ulong SystemTicks,
    int ThreadCount,
    ulong StartTime,
    long RssPages)
{
    /// <summary>Z = zombie (exited, not reaped), X = dead (being torn down).</summary>
    public bool IsZombieOrDead => State is 'Z' or 'X';

    /// <summary>Parses the text of /proc/&lt;pid&gt;/stat; null if it is not in the expected shape.</summary>
    public static ProcStat? TryParse(string text)
    {
        // comm (field 2) may contain spaces and parentheses, so the fixed fields start after the LAST ')'.
        int open = text.IndexOf('(');
        int close = text.LastIndexOf(')');
        if (open <= 0 || close < open || close + 2 > text.Length)
        {
            return null;
        }

        if (!int.TryParse(text.AsSpan(0, open).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return null;
        }

        string[] f = text[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // f[0] is field 3 (state); field N is f[N - 3].
        if (f.Length < 22 || f[0].Length != 1)
        {
            return null;
        }

        try
        {
            return new ProcStat(
                Pid: pid,
                Comm: text[(open + 1)..close],
                State: f[0][0],
                ParentPid: ParseInt(f[1]),
                ProcessGroupId: ParseInt(f[2]),
                SessionId: ParseInt(f[3]),
                UserTicks: ParseULong(f[11]),
                SystemTicks: ParseULong(f[12]),
                ThreadCount: ParseInt(f[17]),
                StartTime: ParseULong(f[19]),
                RssPages: long.Parse(f[21], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }
        catch (FormatException)
        {
            return null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static int ParseInt(string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static ulong ParseULong(string s) => ulong.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
}
