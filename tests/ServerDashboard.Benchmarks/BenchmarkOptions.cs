namespace ServerDashboard.Benchmarks;

public sealed record BenchmarkOptions(int Servers, int CpuWindowSeconds, string JsonPath, bool SkipPeers, string PeersDirectory, bool LogsOnly = false, bool DaemonsOnly = false, bool RconOnly = false, bool Supervise = false, bool All = false, bool Scale = false, IReadOnlyList<int>? ScaleCounts = null)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new BenchmarkOptions(
            int.Parse(Value("--servers") ?? "100"),
            int.Parse(Value("--cpu-window") ?? (args.Contains("--supervise") || args.Contains("all") ? "60" : args.Contains("scale") ? "20" : "10")),
            Path.GetFullPath(Value("--json") ?? "benchmark-results.json"),
            args.Contains("--no-peers"),
            Path.GetFullPath(Value("--peers") ?? FindPeers()),
            args.Contains("--logs"),
            args.Contains("--daemons"),
            args.Contains("--rcon"),
            args.Contains("--supervise"),
            args.Contains("all"),
            args.Contains("scale"),
            (Value("--counts") ?? "100,300,1000").Split(',').Select(int.Parse).ToList());
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
