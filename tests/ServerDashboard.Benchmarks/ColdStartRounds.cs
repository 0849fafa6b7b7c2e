namespace ServerDashboard.Benchmarks;

/// <summary>
/// Issue 15's cold-start comparison: the dashboard and the blank Blazor Server app started alternately (ours, blank,
/// ours, blank, …, <see cref="BenchmarkOptions.ColdRounds"/> rounds), and the verdict taken from the two medians. On a
/// 2-core VM a start is one sample of whatever else the machine does at that moment: measured apart, the blank app's
/// median moved 698 ↔ 993 ms between runs and flipped the verdict; interleaved, both sides see the same moments.
/// </summary>
public sealed class ColdStartRounds(BenchmarkOptions options, BenchmarkReport report)
{
    public const string OursMedian = "dashboard cold start → first GET /api/v1/health answered (median)";
    public const string BlankMedian = "blank Blazor Server app: cold start → first GET / answered (median)";
    private const string Ours = "dashboard cold start → first GET /api/v1/health answered";
    private const string Blank = "blank Blazor Server app: cold start → first GET / answered";

    /// <summary>Runs the rounds against the blank app at <paramref name="blankExecutable"/>.</summary>
    /// <param name="whileLastBlankRuns">Called with the last round's blank app still running (its idle RSS sample).</param>
    public async Task RunAsync(string blankExecutable, Func<AppRunner, CancellationToken, Task>? whileLastBlankRuns, CancellationToken cancellationToken)
    {
        var dataDir = Directory.CreateTempSubdirectory("sd-bench-cold-").FullName;
        try
        {
            Console.WriteLine($"Cold start: {options.ColdRounds} rounds of dashboard, then blank Blazor Server app; data directory {dataDir}");
            await PrepareStoreAsync(dataDir, cancellationToken);
            var ours = new List<double>();
            var blank = new List<double>();
            for (var round = 1; round <= options.ColdRounds; round++)
            {
                ours.Add(await DashboardRunner.StartAndStopAsync(dataDir, cancellationToken));
                var last = round == options.ColdRounds;
                blank.Add(await StartBlankAsync(blankExecutable, last ? whileLastBlankRuns : null, cancellationToken));
                report.Add($"cold start round {round}: dashboard", ours[^1], "ms");
                report.Add($"cold start round {round}: blank Blazor Server app", blank[^1], "ms");
                Console.WriteLine($"  round {round}: dashboard {ours[^1]:0} ms, blank Blazor Server app {blank[^1]:0} ms");
            }

            AddSummary(Ours, OursMedian, ours);
            AddSummary(Blank, BlankMedian, blank);
        }
        finally
        {
            ScratchDirectory.RemoveUnlessKept(dataDir);
        }
    }

    /// <summary>
    /// As the daemon scenarios' store: an API key (the CLI), then a first start that creates and migrates the database. That
    /// start is reported but not counted: every measured start opens an existing, up-to-date store, as an installed one does.
    /// </summary>
    private async Task PrepareStoreAsync(string dataDir, CancellationToken cancellationToken)
    {
        await DashboardRunner.CreateApiKeyAsync(dataDir);
        report.Add("cold start: dashboard first start (creates the database; not counted) → healthy", await DashboardRunner.StartAndStopAsync(dataDir, cancellationToken), "ms");
    }

    private static async Task<double> StartBlankAsync(string executable, Func<AppRunner, CancellationToken, Task>? whileRunning, CancellationToken cancellationToken)
    {
        await using var app = new AppRunner(executable, "/");
        var elapsed = await app.StartAsync(cancellationToken);
        if (whileRunning is not null)
        {
            await whileRunning(app, cancellationToken);
        }

        return elapsed;
    }

    /// <summary>The median (the verdict's figure) and the spread, so a reader sees how far one sample could have moved it.</summary>
    private void AddSummary(string name, string medianRow, List<double> samples)
    {
        report.Add(medianRow, Samples.Median(samples), "ms");
        report.Add($"{name} (min)", samples.Min(), "ms");
        report.Add($"{name} (max)", samples.Max(), "ms");
    }
}
