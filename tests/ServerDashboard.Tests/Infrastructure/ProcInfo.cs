namespace ServerDashboard.Tests.Infrastructure;

/// <summary>Reads /proc directly, as an independent check of what the dashboard reports.</summary>
public static class ProcInfo
{
    public static bool IsAlive(int pid)
    {
        var state = State(pid);
        return state is not null && state != 'Z' && state != 'X';
    }

    public static char? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0];
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Field 8 of stat: the process group.</summary>
    public static int ProcessGroup(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2]);
    }

    public static IEnumerable<int> AllPids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsDigit)).Select(n => int.Parse(n!));

    public static IReadOnlyList<int> MembersOfGroup(int pgid) =>
        AllPids().Where(pid =>
        {
            try
            {
                return ProcessGroup(pid) == pgid && IsAlive(pid);
            }
            catch (IOException)
            {
                return false;
            }
        }).ToList();
}
