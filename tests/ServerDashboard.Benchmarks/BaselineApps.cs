using System.Diagnostics;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// The memory and start-up baselines, built from the SDK's own templates in the same run: a blank
/// <c>dotnet new blazor --interactivity Server</c> app and a minimal ASP.NET Core app (<c>dotnet new web</c>), built
/// Release into a temporary folder, started like the dashboard (Production, loopback port), cold start → first answer
/// (median of <see cref="Starts"/>) and RSS after <see cref="Settle"/> idle.
/// </summary>
public sealed class BaselineApps(BenchmarkReport report)
{
    public const int Starts = 3;
    // 30 s: the dashboard returns its start-up burst's memory on its first quiet check (MemoryTrimmer, every 5 s); at 10 s
    // the sample raced that check. The baselines are idle either way: the same wait for every app.
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    public const string BlazorRss = "blank Blazor Server app: RSS idle";
    public const string BlazorColdStart = "blank Blazor Server app: cold start → first GET / answered (median)";
    public const string WebRss = "minimal ASP.NET Core app: RSS idle";
    public const string WebColdStart = "minimal ASP.NET Core app: cold start → first GET / answered (median)";
    public const string FloorRss = "stack floor (blank Blazor + MudBlazor + EF Core/SQLite + Serilog): RSS idle";
    public const string FloorColdStart = "stack floor: cold start → first GET /health (one query) answered (median)";

    public async Task RunAsync()
    {
        var root = Directory.CreateTempSubdirectory("sd-bench-baselines-").FullName;
        try
        {
            foreach (var (template, name, rssRow, startRow) in new[]
            {
                (new[] { "blazor", "--interactivity", "Server" }, "BlankBlazor", BlazorRss, BlazorColdStart),
                (new[] { "web" }, "MinimalWeb", WebRss, WebColdStart),
                (new[] { "blazor", "--interactivity", "Server" }, StackFloorApp.Name, FloorRss, FloorColdStart),
            })
            {
                bool floor = name == StackFloorApp.Name;
                Console.WriteLine($"Baseline: dotnet new {string.Join(' ', template)} → {name}, " +
                    (floor ? $"+ {string.Join(", ", StackFloorApp.Packages().Select(p => $"{p.Id} {p.Version}"))}, published Release (ReadyToRun)" : "built Release"));
                var dir = Path.Combine(root, name);
                var output = Path.Combine(dir, "out");
                if (!await RunAsync("dotnet", ["new", .. template, "-o", dir, "-n", name]) || (floor && !await MakeStackFloorAsync(dir)) ||
                    !await RunAsync("dotnet", floor
                        ? ["publish", dir, "-c", "Release", "-v", "q", "-p:PublishReadyToRun=true", "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-o", output]
                        : ["build", dir, "-c", "Release", "-v", "q", "-o", output]))
                {
                    Console.WriteLine($"Baseline {name} could not be built; skipped");
                    continue;
                }

                var executable = Path.Combine(output, name);
                var starts = new List<double>();
                for (var i = 0; i < Starts; i++)
                {
                    await using var app = new AppRunner(executable, floor ? StackFloorApp.ProbePath : "/");
                    starts.Add(await app.StartAsync());
                    if (i == Starts - 1)
                    {
                        await Task.Delay(Settle);
                        report.Add(rssRow, app.RssMb(), "MB");
                    }
                }

                report.Add(startRow, Median(starts), "ms");
            }
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

    private static async Task<bool> MakeStackFloorAsync(string dir)
    {
        foreach (var (id, version) in StackFloorApp.Packages())
        {
            if (!await RunAsync("dotnet", ["add", Path.Combine(dir, StackFloorApp.Name + ".csproj"), "package", id, "--version", version]))
            {
                return false;
            }
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "Program.cs"), StackFloorApp.Program);
        return true;
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    private static async Task<bool> RunAsync(string file, string[] args)
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
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"{file} {string.Join(' ', args)} failed: {await output}{await errors}");
        }

        return process.ExitCode == 0;
    }

    /// <summary>Starts one baseline app on a free loopback port; measures launch → first successful GET.</summary>
    private sealed class AppRunner(string executable, string probePath) : IAsyncDisposable
    {
        private readonly int port = DashboardRunner.FreePort();
        private Process? process;

        public async Task<double> StartAsync()
        {
            var started = Stopwatch.StartNew();
            var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(executable)! };
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            while (true)
            {
                try
                {
                    if ((await http.GetAsync($"http://127.0.0.1:{port}{probePath}")).IsSuccessStatusCode)
                    {
                        return started.Elapsed.TotalMilliseconds;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet, or (under load) the first answer took longer than the client's timeout.
                }

                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{executable} exited with {process.ExitCode}");
                }

                await Task.Delay(20);
            }
        }

        public double RssMb() => ProcReader.RssMb(process!.Id);

        public async ValueTask DisposeAsync()
        {
            if (process is { HasExited: false })
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process?.Dispose();
        }
    }
}
