using System.Diagnostics;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// The memory and start-up baselines, built from the SDK's own templates in the same run: a blank
/// <c>dotnet new blazor --interactivity Server</c> app and a minimal ASP.NET Core app (<c>dotnet new web</c>), built
/// Release into a temporary folder, and the stack floor (<see cref="StackFloorApp"/>), started like the dashboard
/// (Production, loopback port): cold start → first answer and RSS after <see cref="Settle"/> idle. The blank Blazor
/// app's cold start is the verdict's peer, so it is measured alternating with the dashboard's (<see cref="ColdStartRounds"/>);
/// the other two are the median of <see cref="Starts"/> starts of their own.
/// </summary>
public sealed class BaselineApps(BenchmarkOptions options, BenchmarkReport report)
{
    public const int Starts = 3;
    // 30 s: the dashboard returns its start-up burst's memory on its first quiet check (MemoryTrimmer, every 5 s); at 10 s
    // the sample raced that check. The baselines are idle either way: the same wait for every app.
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    public const string BlazorRss = "blank Blazor Server app: RSS idle";
    public const string WebRss = "minimal ASP.NET Core app: RSS idle";
    public const string WebColdStart = "minimal ASP.NET Core app: cold start → first GET / answered (median)";
    public const string FloorRss = "stack floor (blank Blazor + MudBlazor + EF Core/SQLite + Serilog): RSS idle";
    public const string FloorColdStart = "stack floor: cold start → first GET /health (one query) answered (median)";

    private static readonly string[] BlazorTemplate = ["blazor", "--interactivity", "Server"];
    private static readonly Baseline Blazor = new("BlankBlazor", BlazorTemplate, "/", BlazorRss, ColdStartRounds.BlankMedian);
    private static readonly Baseline Web = new("MinimalWeb", ["web"], "/", WebRss, WebColdStart);
    private static readonly Baseline Floor = new(StackFloorApp.Name, BlazorTemplate, StackFloorApp.ProbePath, FloorRss, FloorColdStart);

    /// <summary>Every baseline: the cold-start rounds with the blank Blazor app (its RSS after the last round), then the other two.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => InTempFolderAsync(async root =>
    {
        if (await BuildAsync(root, Blazor, cancellationToken) is { } blank)
        {
            await new ColdStartRounds(options, report).RunAsync(blank, (app, token) => SettleAndSampleRssAsync(app, Blazor.RssRow, token), cancellationToken);
        }

        foreach (var baseline in new[] { Web, Floor })
        {
            if (await BuildAsync(root, baseline, cancellationToken) is { } executable)
            {
                await StartsAndRssAsync(executable, baseline, cancellationToken);
            }
        }
    });

    /// <summary><c>--cold-start</c>: only the blank Blazor app, only the cold-start rounds (no idle wait).</summary>
    public Task RunColdStartAsync(CancellationToken cancellationToken) => InTempFolderAsync(async root =>
    {
        if (await BuildAsync(root, Blazor, cancellationToken) is { } blank)
        {
            await new ColdStartRounds(options, report).RunAsync(blank, whileLastBlankRuns: null, cancellationToken);
        }
    });

    private static async Task InTempFolderAsync(Func<string, Task> run)
    {
        var root = Directory.CreateTempSubdirectory("sd-bench-baselines-").FullName;
        try
        {
            await run(root);
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <returns>The built app's executable, or null (reported) when the SDK could not generate or build it.</returns>
    private static async Task<string?> BuildAsync(string root, Baseline baseline, CancellationToken cancellationToken)
    {
        var floor = baseline.Name == StackFloorApp.Name;
        Console.WriteLine($"Baseline: dotnet new {string.Join(' ', baseline.Template)} → {baseline.Name}, " +
            (floor ? $"+ {string.Join(", ", StackFloorApp.Packages().Select(p => $"{p.Id} {p.Version}"))}, published Release (ReadyToRun)" : "built Release"));
        var dir = Path.Combine(root, baseline.Name);
        var output = Path.Combine(dir, "out");
        if (!await RunAsync("dotnet", ["new", .. baseline.Template, "-o", dir, "-n", baseline.Name], cancellationToken) || (floor && !await MakeStackFloorAsync(dir, cancellationToken)) ||
            !await RunAsync("dotnet", floor
                ? ["publish", dir, "-c", "Release", "-v", "q", "-p:PublishReadyToRun=true", "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-o", output]
                : ["build", dir, "-c", "Release", "-v", "q", "-o", output], cancellationToken))
        {
            Console.WriteLine($"Baseline {baseline.Name} could not be built; skipped");
            return null;
        }

        return Path.Combine(output, baseline.Name);
    }

    /// <summary><see cref="Starts"/> starts one after another; the last one stays up for the idle RSS sample.</summary>
    private async Task StartsAndRssAsync(string executable, Baseline baseline, CancellationToken cancellationToken)
    {
        var starts = new List<double>();
        for (var i = 0; i < Starts; i++)
        {
            await using var app = new AppRunner(executable, baseline.ProbePath);
            starts.Add(await app.StartAsync(cancellationToken));
            if (i == Starts - 1)
            {
                await SettleAndSampleRssAsync(app, baseline.RssRow, cancellationToken);
            }
        }

        report.Add(baseline.StartRow, Samples.Median(starts), "ms");
    }

    private async Task SettleAndSampleRssAsync(AppRunner app, string rssRow, CancellationToken cancellationToken)
    {
        await Task.Delay(Settle, cancellationToken);
        report.Add(rssRow, app.RssMb(), "MB");
    }

    private static async Task<bool> MakeStackFloorAsync(string dir, CancellationToken cancellationToken)
    {
        foreach (var (id, version) in StackFloorApp.Packages())
        {
            if (!await RunAsync("dotnet", ["add", Path.Combine(dir, StackFloorApp.Name + ".csproj"), "package", id, "--version", version], cancellationToken))
            {
                return false;
            }
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "Program.cs"), StackFloorApp.Program, cancellationToken);
        return true;
    }

    private static async Task<bool> RunAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"{file} {string.Join(' ', args)} failed: {await output}{await errors}");
        }

        return process.ExitCode == 0;
    }

    private sealed record Baseline(string Name, string[] Template, string ProbePath, string RssRow, string StartRow);
}
