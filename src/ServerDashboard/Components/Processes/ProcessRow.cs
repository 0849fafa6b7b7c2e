using System.Globalization;
using ServerDashboard.Data;
using ServerDashboard.Processes;

namespace ServerDashboard.Components.Processes;

/// <summary>
/// One grid row: a daemon's figures flattened (so the grid can sort by plain property names) plus what the page knows
/// about its server definition.
/// </summary>
/// <param name="ServerNumber">The numeric server id, for the link; null when the PID file named something else.</param>
/// <param name="ServerName">Null when the definition is gone (deleted while its daemon ran, or a foreign PID file).</param>
/// <param name="CpuPercent">Null until the rate is known (see <see cref="From"/>) and for dead daemons.</param>
public sealed record ProcessRow(
    int Pid,
    string ServerId,
    int? ServerNumber,
    string? ServerName,
    bool Alive,
    double? UptimeSeconds,
    DateTimeOffset? StartTime,
    double? CpuPercent,
    int? CpuWarnPercent,
    double? MemoryMb,
    int? OpenFiles,
    int? Threads,
    int ProcessCount,
    bool LoadedFromDisk,
    bool PidFileExists,
    string PidFile,
    string? LastExit)
{
    /// <summary>Above the definition's CPU warning threshold (a percent of one core, as <see cref="CpuPercent"/> is).</summary>
    public bool CpuHigh => CpuPercent is { } cpu && CpuWarnPercent is { } warn && cpu > warn;

    /// <summary>A live daemon without its PID file would not be re-adopted after a dashboard restart.</summary>
    public bool PidFileMissing => Alive && !PidFileExists;

    /// <param name="cpuKnown">
    /// False on the first sample the page takes of a daemon: the collector then measures since the process started,
    /// an average that can hide (or invent) a current spike, so the page shows "—" rather than that number.
    /// </param>
    public static ProcessRow From(ProcessStats stats, ServerDefinition? definition, bool cpuKnown)
    {
        int? number = int.TryParse(stats.ServerId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        return new ProcessRow(
            stats.Pid,
            stats.ServerId,
            number,
            definition?.Name,
            stats.Alive,
            stats.UptimeSeconds,
            stats.StartTime,
            cpuKnown ? stats.CpuPercent : null,
            definition?.CpuWarnPercent,
            stats.MemoryMb,
            stats.OpenFiles,
            stats.Threads,
            stats.ProcessCount,
            stats.LoadedFromDisk,
            stats.PidFileExists,
            stats.PidFile,
            stats.LastExit);
    }
}
