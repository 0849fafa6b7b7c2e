namespace ServerDashboard.Benchmarks;

/// <param name="ColdRounds">Rounds of the cold-start comparison: each starts the dashboard, then the blank Blazor app.</param>
/// <param name="LatencyRounds">Rounds of the log-latency comparison: each 1,000 lines to the dashboard, then to <c>tail -F</c>.</param>
/// <param name="ColdStartOnly">Only the cold-start comparison (<c>--cold-start</c>).</param>
public sealed record BenchmarkOptions(int Servers, int CpuWindowSeconds, string JsonPath, bool SkipPeers, string PeersDirectory, bool LogsOnly = false, bool DaemonsOnly = false, bool RconOnly = false, bool Supervise = false, bool All = false, bool Scale = false, IReadOnlyList<int>? ScaleCounts = null, bool BaselinesOnly = false, int ColdRounds = 5, int LatencyRounds = 3, bool ColdStartOnly = false)
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
            (Value("--counts") ?? "100,300,1000").Split(',').Select(int.Parse).ToList(),
            args.Contains("--baselines"),
            Rounds(Value("--cold-rounds"), "--cold-rounds", 5),
            Rounds(Value("--latency-rounds"), "--latency-rounds", 3),
            args.Contains("--cold-start"));
    }

    private static int Rounds(string? value, string name, int defaultRounds) =>
        value is null ? defaultRounds
        : int.TryParse(value, out var rounds) && rounds >= 1 ? rounds
        : throw new ArgumentException($"{name} takes a whole number ≥ 1, not '{value}'");

    /// <summary>The repository's tests/peers (installed by tests/peers/setup.sh), found above the binaries.</summary>
    private static string FindPeers() => Path.Combine(RepositoryRoot(), "tests", "peers");

    /// <summary>The folder holding ServerDashboard.sln, found above the binaries (the working directory if none is).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerDashboard.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
