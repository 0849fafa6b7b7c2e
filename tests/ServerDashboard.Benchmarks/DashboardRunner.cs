using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ServerDashboard.Benchmarks;

/// <summary>Starts the published dashboard (<see cref="PublishedDashboard"/>) on a free port and measures its RSS and CPU from /proc.</summary>
public sealed class DashboardRunner(string dataDirectory) : IAsyncDisposable
{
    private Process? process;

    /// <summary>Extra environment (configuration overrides such as <c>Dashboard__Logs__MaxSizeMb</c>) for the dashboard.</summary>
    public Dictionary<string, string> Environment { get; } = [];

    public int Port { get; } = FreePort();

    public int Pid => process!.Id;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>
    /// One start on <paramref name="dataDirectory"/> until healthy, then a normal stop, so the next start finds the store as
    /// an installed dashboard would.
    /// </summary>
    /// <returns>Milliseconds from launch until /api/v1/health answered.</returns>
    public static async Task<double> StartAndStopAsync(string dataDirectory, CancellationToken cancellationToken = default)
    {
        await using var dashboard = new DashboardRunner(dataDirectory);
        var elapsed = await dashboard.StartAsync(cancellationToken);
        await dashboard.StopAsync();
        return elapsed;
    }

    public static async Task<string> CreateApiKeyAsync(string dataDirectory)
    {
        var output = await RunCliAsync("apikey", "create", "--name", "benchmark", "--role", "Admin", "--data-dir", dataDirectory);
        return output.TrimEnd().Split('\n')[^1];
    }

    private static async Task<string> RunCliAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var cli = Process.Start(start)!;
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return cli.ExitCode == 0 ? output : throw new InvalidOperationException($"ServerDashboard {string.Join(' ', args)}: {await cli.StandardError.ReadToEndAsync()}");
    }

    /// <returns>Milliseconds from launch until /api/v1/health answered.</returns>
    public async Task<double> StartAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.StartNew();
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--data-dir", dataDirectory, "--urls", BaseAddress.ToString().TrimEnd('/') })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Serilog__MinimumLevel__Default"] = System.Environment.GetEnvironmentVariable("BENCH_LOG_LEVEL") ?? "Warning";
        // One script drives 100 servers as fast as it can: that is the measurement, not an attack.
        start.Environment["Dashboard__RateLimits__ActionsPerSecond"] = "100000";
        start.Environment["Dashboard__RateLimits__ReadsPerSecond"] = "100000";
        start.Environment["Dashboard__RateLimits__LogReadsPerSecond"] = "100000";
        start.Environment["Dashboard__Security__MaxStreamsPerUser"] = "100000";
        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }

        // The re-adoption figure is read from this line of the dashboard's log.
        start.Environment["Serilog__MinimumLevel__Override__ServerDashboard.Processes.ProcessRegistry"] = "Information";
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/api/v1/health", cancellationToken)).IsSuccessStatusCode)
                {
                    return started.Elapsed.TotalMilliseconds;
                }
            }
            catch (Exception ex) when ((ex is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet, or (under load) the first answer took longer than the client's timeout.
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"dashboard exited with {process.ExitCode}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    public double RssMb() => ProcReader.RssMb(Pid);

    /// <summary>Seconds of CPU (utime + stime) the dashboard has used so far.</summary>
    public double CpuSeconds() => ProcReader.CpuTicks(Pid) / 100.0;

    /// <summary>SIGKILL, as a crash or the OOM killer would: no shutdown code runs; the servers keep running.</summary>
    public async Task KillAsync()
    {
        process!.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>CPU % of one core used by the dashboard over <paramref name="window"/>.</summary>
    public async Task<double> CpuPercentAsync(TimeSpan window)
    {
        var before = ProcReader.CpuTicks(Pid);
        await Task.Delay(window);
        var after = ProcReader.CpuTicks(Pid);
        return (after - before) / 100.0 / window.TotalSeconds * 100;
    }

    public async Task StopAsync()
    {
        if (process is { HasExited: false })
        {
            // The CLI's own stop: SIGTERM, a normal shutdown; the servers keep running (the default).
            await RunCliAsync("stop", "--data-dir", dataDirectory);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process?.Dispose();
    }

    private static string Executable => PublishedDashboard.Executable;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A process's CPU ticks and RSS from /proc (both figures load distorts little, unlike wall-clock time).</summary>
public static class ProcReader
{
    /// <summary>utime + stime (fields 14 and 15 of /proc/PID/stat), in clock ticks (100 a second).</summary>
    public static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }

    public static double RssMb(int pid) =>
        double.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
}
