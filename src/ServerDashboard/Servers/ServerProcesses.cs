using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>
/// The tracked daemons' figures for the Processes page and API, and one server's process: the UI and API read them
/// here instead of calling <c>Processes/</c> (the records they return are Processes' plain data types).
/// </summary>
public sealed class ServerProcesses(ProcessStatsCollector collector)
{
    /// <summary>One /proc pass over every tracked daemon.</summary>
    public ProcessRegistryStats Collect() => collector.Collect();

    public ProcessStats? FindByPid(int pid) => collector.Collect().Processes.FirstOrDefault(p => p.Pid == pid);

    public ProcessStats? FindByServer(int serverId) =>
        collector.Collect().Processes.FirstOrDefault(p => p.ServerId == ServerSupervisor.Key(serverId));
}
