using ServerDashboard.Testing;
using System.Diagnostics;
using System.Text;
using ServerDashboard.Auth;

namespace ServerDashboard.Tests.Infrastructure;

/// <summary>
/// The real dashboard executable, started as a child of the test on a free port: for black-box tests that kill it
/// with SIGKILL and start it again on the same data directory.
/// </summary>
public sealed class DashboardProcess : IAsyncDisposable
{
    private readonly StringBuilder output = new();
    private Process? process;

    private readonly bool viaDotnetRun;

    private readonly IReadOnlyDictionary<string, string> environment;

    private DashboardProcess(string dataDirectory, int port, IReadOnlyDictionary<string, string>? environment = null, bool viaDotnetRun = false)
    {
        DataDirectory = dataDirectory;
        Port = port;
        this.viaDotnetRun = viaDotnetRun;
        this.environment = environment ?? new Dictionary<string, string>();
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public int Pid => process?.Id ?? 0;

    /// <summary>For a failure message: whether the process still runs (with each thread's name, state and kernel wait
    /// channel from /proc: a thread blocked in the kernel shows where), or how it ended.</summary>
    public string Describe()
    {
        if (process is null)
        {
            return "not started";
        }

        if (process.HasExited)
        {
            // A signal's default action ends the process without a line of output: 128 + the signal's number.
            return $"exited with {process.ExitCode}";
        }

        var threads = new List<string>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{process.Id}/task"))
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
                string wchan = File.ReadAllText(Path.Combine(task, "wchan"));
                threads.Add($"{stat[(open + 1)..close]}:{stat[close + 2]}:{wchan}");
            }
            catch (IOException)
            {
            }
        }

        return $"running{(IgnoresSighup(process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) ? ", SIGHUP ignored" : "")}; threads (name:state:wchan): {string.Join(", ", threads)}";
    }

    /// <summary>Whether /proc/&lt;pid&gt;/status lists SIGHUP (signal 1: bit 0 of the mask) as ignored.</summary>
    private static bool IgnoresSighup(string pid)
    {
        string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & 1) != 0;
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public HttpClient Client(string apiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, apiKey);
        return client;
    }

    /// <summary>Starts the dashboard and waits until /api/v1/health answers.</summary>
    public static async Task<DashboardProcess> StartAsync(string dataDirectory, int? port = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dashboard = new DashboardProcess(dataDirectory, port ?? FreePort.Next(), environment);
        dashboard.Start();
        await dashboard.WaitHealthyAsync();
        return dashboard;
    }

    /// <summary>
    /// README's run command, <c>dotnet run --project src/ServerDashboard</c> from the repository root (without building:
    /// the test build already did), with the environment a person's shell has: no ASPNETCORE_ENVIRONMENT.
    /// </summary>
    public static async Task<DashboardProcess> StartWithDotnetRunAsync(string dataDirectory)
    {
        var dashboard = new DashboardProcess(dataDirectory, FreePort.Next(), viaDotnetRun: true);
        dashboard.Start();
        await dashboard.WaitHealthyAsync();
        return dashboard;
    }

    /// <summary>Starts it without waiting, for tests that expect it to fail.</summary>
    public static DashboardProcess Launch(string dataDirectory, int? port = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dashboard = new DashboardProcess(dataDirectory, port ?? FreePort.Next(), environment);
        dashboard.Start();
        return dashboard;
    }

    public static async Task<string> CreateApiKeyAsync(string dataDirectory, string role = Roles.Admin)
    {
        var result = await ProcessRunner.RunAsync("ServerDashboard", ["apikey", "create", "--name", $"test-{Guid.NewGuid():N}", "--role", role, "--data-dir", dataDirectory], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.StandardError);
        return result.StandardOutput.TrimEnd().Split('\n')[^1];
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process!.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    /// <summary>SIGKILL: the dashboard gets no chance to clean up, as in a crash.</summary>
    public async Task KillHardAsync()
    {
        process!.Kill(entireProcessTree: false);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: viaDotnetRun); // dotnet run's child is the dashboard
            await process.WaitForExitAsync();
        }

        process?.Dispose();
    }

    private void Start()
    {
        var start = viaDotnetRun ? DotnetRun() : new ProcessStartInfo(ProcessRunner.PathOf("ServerDashboard")) { WorkingDirectory = AppContext.BaseDirectory };
        if (!viaDotnetRun && IgnoresSighup("self"))
        {
            // Run under nohup (SIGHUP ignored), this test process would hand the ignore on through fork and exec, and .NET
            // keeps an inherited SIG_IGN even for a registered PosixSignalRegistration: the dashboard would never see the
            // SIGHUP a test sends. env(1) restores the default and execs in place, so the pid is the dashboard's.
            start.ArgumentList.Add("--default-signal=HUP");
            start.ArgumentList.Add(start.FileName);
            start.FileName = "/usr/bin/env";
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach (var arg in new[] { "--data-dir", DataDirectory, "--urls", $"http://127.0.0.1:{Port}" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Dashboard__Admin__InitialPassword"] = DashboardFactory.AdminPassword;
        if (viaDotnetRun)
        {
            start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
            start.Environment.Remove("DOTNET_ENVIRONMENT");
        }
        else
        {
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        }

        foreach (var (name, value) in TestStore.EnvironmentFor(DataDirectory).Concat(environment))
        {
            start.Environment[name] = value;
        }

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private static ProcessStartInfo DotnetRun()
    {
        // bin/<Configuration>/net10.0/ of the test project: run the dashboard built in the same configuration.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryRoot.Path };
        foreach (var arg in new[] { "run", "--no-build", "-c", configuration, "--project", "src/ServerDashboard", "--" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        return start;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private async Task WaitHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process!.HasExited)
            {
                throw new InvalidOperationException($"The dashboard exited with {process.ExitCode} before it was healthy:\n{Output}");
            }

            try
            {
                if ((await client.GetAsync("/api/v1/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The dashboard did not become healthy within 60 s:\n" + Output);
    }
}
