using System.Diagnostics;

namespace ServerDashboard.Benchmarks;

/// <summary>Starts one baseline app on a free loopback port; measures launch → first successful GET of <paramref name="probePath"/>.</summary>
public sealed class AppRunner(string executable, string probePath) : IAsyncDisposable
{
    private readonly int port = DashboardRunner.FreePort();
    private Process? process;

    /// <returns>Milliseconds from launch until <c>probePath</c> answered with success.</returns>
    public async Task<double> StartAsync(CancellationToken cancellationToken)
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
                if ((await http.GetAsync($"http://127.0.0.1:{port}{probePath}", cancellationToken)).IsSuccessStatusCode)
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
                throw new InvalidOperationException($"{executable} exited with {process.ExitCode}");
            }

            await Task.Delay(20, cancellationToken);
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
