namespace ServerDashboard.Servers.History;

/// <summary>One point of a server's resource series (a tick, or an average over a bucket): the API's sample shape.</summary>
public sealed record MetricPoint(DateTimeOffset At, double? CpuPercent, long? MemoryBytes, int? OpenFiles, int? Threads);
