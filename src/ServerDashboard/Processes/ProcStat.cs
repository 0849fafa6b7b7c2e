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

    /// <summary>
    /// Fields 50 and 51 (env_start, env_end; Linux 3.5+) of /proc/&lt;pid&gt;/stat: where the current program's environment
    /// strings are. Null if the file is not in the expected shape. Both read 0 for a program whose stack the kernel has
    /// not laid out yet (mid-exec), for a zombie, and for a process the reader may not inspect.
    /// </summary>
    public static EnvironmentArea? TryParseEnvironmentArea(ReadOnlySpan<byte> text)
    {
        int close = text.LastIndexOf((byte)')');
        if (close < 0 || close + 2 > text.Length)
        {
            return null;
        }

        var rest = text[(close + 2)..];
        ulong start = 0;
        int index = 0;
        foreach (Range range in rest.Split((byte)' '))
        {
            var field = rest[range].TrimEnd((byte)'\n');
            if (field.IsEmpty)
            {
                continue;
            }

            // Field N (1-based, proc(5)) is the (N - 3)th token after ") ".
            if (index == 47 && !TryULong(field, out start))
            {
                return null;
            }

            if (index == 48)
            {
                return TryULong(field, out ulong end) ? new EnvironmentArea(start, end) : null;
            }

            index++;
        }

        return null; // an older kernel without these fields
    }

    private static bool TryInt(ReadOnlySpan<byte> s, out int value) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool TryULong(ReadOnlySpan<byte> s, out ulong value) =>
        ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}

/// <summary>Where a process's environment strings are in its memory (<see cref="ProcStat.TryParseEnvironmentArea"/>).</summary>
public sealed record EnvironmentArea(ulong Start, ulong End)
{
    /// <summary>False for a program the kernel is still exec'ing (and for zombies, and processes not ours to inspect).</summary>
    public bool IsLaidOut => End != 0;

    /// <summary>The program was started with no environment strings at all.</summary>
    public bool IsEmpty => End <= Start;
}
