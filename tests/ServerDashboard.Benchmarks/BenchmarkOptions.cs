namespace ServerDashboard.Benchmarks;

public sealed record BenchmarkOptions(int Servers, int CpuWindowSeconds, string JsonPath, bool SkipPeers, string PeersDirectory, bool LogsOnly = false, bool DaemonsOnly = false, bool RconOnly = false, bool Supervise = false)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new BenchmarkOptions(
            int.Parse(Value("--servers") ?? "100"),
            int.Parse(Value("--cpu-window") ?? (args.Contains("--supervise") ? "60" : "10")),
            Path.GetFullPath(Value("--json") ?? "benchmark-results.json"),
            args.Contains("--no-peers"),
            Path.GetFullPath(Value("--peers") ?? FindPeers()),
            args.Contains("--logs"),
            args.Contains("--daemons"),
            args.Contains("--rcon"),
            args.Contains("--supervise"));
    }

    /// <summary>The repository's tests/peers (installed by tests/peers/setup.sh), found above the binaries.</summary>
    private static string FindPeers()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerDashboard.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "peers");
            }
        }

        return Path.Combine("tests", "peers");
    }
}
