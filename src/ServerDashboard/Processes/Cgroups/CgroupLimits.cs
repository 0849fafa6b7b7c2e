namespace ServerDashboard.Processes.Cgroups;

/// <summary>Limits the kernel enforces on a server's cgroup; null = unlimited.</summary>
/// <param name="MemoryMb">Resident memory (page cache included, as the kernel counts it); swap is held to the same total.</param>
/// <param name="CpuPercent">CPU time per period: 100 = one core, 250 = two and a half.</param>
/// <param name="MaxProcesses">Processes and threads in the cgroup (pids.max).</param>
public sealed record CgroupLimits(int? MemoryMb = null, int? CpuPercent = null, int? MaxProcesses = null)
{
    /// <summary>The CFS period the quota is a share of (the kernel's default).</summary>
    public const long CpuPeriodMicroseconds = 100_000;

    public long? MemoryBytes => MemoryMb * 1024L * 1024L;

    public long? CpuQuotaMicroseconds => CpuPercent * CpuPeriodMicroseconds / 100;
}
