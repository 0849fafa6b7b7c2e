namespace ServerDashboard.Benchmarks;

public sealed record BenchmarkOptions(int Servers, int CpuWindowSeconds, string JsonPath, bool SkipPeers, string PeersDirectory, bool LogsOnly = false, bool DaemonsOnly = false, bool RconOnly = false)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new BenchmarkOptions(
            int.Parse(Value("--servers") ?? "100"),
            int.Parse(Value("--cpu-window") ?? "10"),
            Path.GetFullPath(Value("--json") ?? "benchmark-results.json"),
            args.Contains("--no-peers"),
            Path.GetFullPath(Value("--peers") ?? FindPeers()),
            args.Contains("--logs"),
            args.Contains("--daemons"),
            args.Contains("--rcon"));
    }

    /// <summary>../shared/peers beside the checkout.</summary>
    private static string FindPeers()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "peers");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return "../shared/peers";
    }
}
