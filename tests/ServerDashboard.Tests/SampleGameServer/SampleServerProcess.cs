using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ServerDashboard.Tests.SampleGameServer;

/// <summary>
/// Runs the real SampleGameServer apphost (copied into the test output by the project reference)
/// and collects its output, so tests can wait for lines instead of sleeping.
/// </summary>
internal sealed class SampleServerProcess : IDisposable
{
    public const int Sigint = 2;
    public const int Sigkill = 9;
    public const int Sigterm = 15;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private TaskCompletionSource _outputChanged = NewSignal();
    private bool _stdoutClosed;

    private SampleServerProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var startInfo = new ProcessStartInfo(ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // A password in the developer's environment must not change what a test sees.
        startInfo.Environment.Remove("RCON_PASSWORD");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        _process = new Process { StartInfo = startInfo };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data, closesStdout: e.Data is null);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data, closesStdout: false);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string ExecutablePath => Path.Combine(AppContext.BaseDirectory, "SampleGameServer");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> OutputLines
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToArray();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public static SampleServerProcess Start(params string[] args) => new(args, environment: null);

    public static SampleServerProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        new(args, environment);

    /// <summary>Starts a server on a free port and waits for its "Done" line.</summary>
    public static async Task<SampleServerProcess> StartReadyAsync(params string[] args)
    {
        var server = Start(args);
        try
        {
            await server.WaitForLineAsync("For help, type \"help\"");
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Waits for a stdout line (at index <paramref name="fromLine"/> or later) containing the text.</summary>
    public async Task<string> WaitForLineAsync(string contains, int fromLine = 0, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (var i = fromLine; i < _stdout.Count; i++)
                {
                    if (_stdout[i].Contains(contains, StringComparison.Ordinal))
                    {
                        return _stdout[i];
                    }
                }

                if (_stdoutClosed)
                {
                    throw new InvalidOperationException($"The server's stdout closed without a line containing '{contains}'.\n{Describe()}");
                }

                changed = _outputChanged.Task;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                lock (_gate)
                {
                    throw new TimeoutException($"No line containing '{contains}' within the timeout.\n{Describe()}");
                }
            }

            await Task.WhenAny(changed, Task.Delay(remaining));
        }
    }

    public int LineCount
    {
        get
        {
            lock (_gate)
            {
                return _stdout.Count;
            }
        }
    }

    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public void CloseStandardInput() => _process.StandardInput.Close();

    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server did not exit within the timeout.\n{DescribeLocked()}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Append(List<string> lines, string? line, bool closesStdout)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (line is not null)
            {
                lines.Add(line);
            }

            _stdoutClosed |= closesStdout;
            changed = _outputChanged;
            _outputChanged = NewSignal();
        }

        changed.TrySetResult();
    }

    private string DescribeLocked()
    {
        lock (_gate)
        {
            return Describe();
        }
    }

    private string Describe() =>
        $"--- stdout ({_stdout.Count} lines) ---\n{string.Join('\n', _stdout.TakeLast(40).Select(Shorten))}\n--- stderr ---\n{string.Join('\n', _stderr)}";

    private static string Shorten(string line) => line.Length > 300 ? line[..300] + "…" : line;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
