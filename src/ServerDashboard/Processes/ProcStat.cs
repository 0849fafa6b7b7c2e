using System.Globalization;
using System.Text;

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
    public static ProcStat? TryParse(string text) => TryParse(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Parses /proc/&lt;pid&gt;/stat as the kernel wrote it (UTF-8 bytes); null if it is not in the expected shape. Walks the
    /// fields in place: splitting the text made ≈ 50 strings per process, ≈ 40 % of everything the dashboard allocated
    /// with 100 servers running (one monitoring pass reads every server's processes every 5 s; docs/PERFORMANCE.md).
    /// </summary>
    public static ProcStat? TryParse(ReadOnlySpan<byte> text)
    {
        // comm (field 2) may contain spaces and parentheses, so the fixed fields start after the LAST ')'.
        int open = text.IndexOf((byte)'(');
        int close = text.LastIndexOf((byte)')');
        if (open <= 0 || close < open || close + 2 > text.Length)
        {
            return null;
        }

        if (!int.TryParse(text[..open].Trim((byte)' '), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return null;
        }

        // Field N (1-based, proc(5)) is the (N - 3)th space-separated token after ") ".
        var rest = text[(close + 2)..];
        char state = '\0';
        int parentPid = 0, processGroupId = 0, sessionId = 0, threadCount = 0;
        ulong userTicks = 0, systemTicks = 0, startTime = 0;
        long rssPages = 0;
        int index = 0;
        foreach (Range range in rest.Split((byte)' '))
        {
            var field = rest[range];
            if (field.IsEmpty)
            {
                continue; // as RemoveEmptyEntries: a trailing newline's neighbour, doubled spaces
            }

            bool ok = index switch
            {
                0 => field.Length == 1 && (state = (char)field[0]) != '\0',
                1 => TryInt(field, out parentPid),
                2 => TryInt(field, out processGroupId),
                3 => TryInt(field, out sessionId),
                11 => TryULong(field, out userTicks),
                12 => TryULong(field, out systemTicks),
                17 => TryInt(field, out threadCount),
                19 => TryULong(field, out startTime),
                21 => long.TryParse(field.TrimEnd((byte)'\n'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out rssPages),
                _ => true,
            };
            if (!ok)
            {
                return null;
            }

            if (++index == 22)
            {
                return new ProcStat(pid, Encoding.UTF8.GetString(text[(open + 1)..close]), state, parentPid, processGroupId,
                    sessionId, userTicks, systemTicks, threadCount, startTime, rssPages);
            }
        }

        return null; // fewer than 22 fields after comm
    }

    private static bool TryInt(ReadOnlySpan<byte> s, out int value) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool TryULong(ReadOnlySpan<byte> s, out ulong value) =>
        ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
