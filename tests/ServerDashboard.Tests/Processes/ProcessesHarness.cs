using ServerDashboard.Tests.Infrastructure;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServerDashboard.Processes;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Tests.Processes;

/// <summary>
/// The Processes module wired through <see cref="ProcessesServiceCollectionExtensions.AddProcesses"/> on a temp data
/// directory, with recorded logs. Every process it (or a test through it) starts is SIGKILLed and reaped on dispose.
/// </summary>
public sealed class ProcessesHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly ConcurrentBag<int> _spawned;
    private readonly bool _ownsDirectory;
    private bool _monitorStarted;

    public ProcessesHarness() : this(new TempDirectory(), [], ownsDirectory: true)
    {
    }

    /// <param name="configure">Further <see cref="ProcessOptions"/> (e.g. a cgroup root that does not exist).</param>
    public ProcessesHarness(Action<ProcessOptions> configure) : this(new TempDirectory(), [], ownsDirectory: true, configure)
    {
    }

    private ProcessesHarness(TempDirectory dir, ConcurrentBag<int> spawned, bool ownsDirectory, Action<ProcessOptions>? configure = null)
    {
        Dir = dir;
        _spawned = spawned;
        _ownsDirectory = ownsDirectory;
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        services.AddProcesses(o =>
        {
            o.DataDirectory = dir.Path;
            o.ExitPollInterval = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(o);
        });
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public TempDirectory Dir { get; }

    public RecordingLoggerProvider Logs { get; } = new();

    public DaemonManager Manager => Get<DaemonManager>();

    public ProcessRegistry Registry => Get<ProcessRegistry>();

    public DaemonLauncher Launcher => Get<DaemonLauncher>();

    public PidFileStore Store => Get<PidFileStore>();

    public ProcFs ProcFs => Get<ProcFs>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>A second dashboard "process" on the same data directory, as after a restart (processes are shared for cleanup).</summary>
    public ProcessesHarness Restarted(Action<ProcessOptions>? configure = null) => new(Dir, _spawned, ownsDirectory: false, configure);

    /// <summary>Starts the hosted <see cref="ExitMonitor"/> (loads PID files, then reaps exits every 50 ms).</summary>
    public async Task StartMonitorAsync()
    {
        foreach (IHostedService service in _services.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        _monitorStarted = true;
    }

    public DaemonSpec Spec(params string[] argv) => new(
        Argv: argv,
        WorkingDirectory: Dir.Path,
        Environment: new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" },
        LogPath: Dir.Combine("logs", "server.log"),
        StdinFifoPath: Dir.Combine("run", "server.stdin"),
        Limits: new ResourceLimits());

    /// <summary>Makes sure a daemon a test learned about some other way is SIGKILLed and reaped at the end.</summary>
    public void TrackForCleanup(int pid) => _spawned.Add(pid);

    public async Task<LaunchedDaemon> LaunchAsync(DaemonSpec spec)
    {
        LaunchedDaemon daemon = await Launcher.LaunchAsync(spec, CancellationToken.None);
        _spawned.Add(daemon.Pid);
        return daemon;
    }

    public async Task<TrackedProcess> StartAsync(string serverId, DaemonSpec spec, int? port = null)
    {
        TrackedProcess entry = await Manager.StartAsync(
            new ServerStartRequest(serverId, $"Server {serverId}", spec, port, RconPort: 27020, RconPassword: "s3cret"),
            CancellationToken.None);
        _spawned.Add(entry.Pid);
        return entry;
    }

    public async ValueTask DisposeAsync()
    {
        if (_monitorStarted)
        {
            foreach (IHostedService service in _services.GetServices<IHostedService>())
            {
                await service.StopAsync(CancellationToken.None);
            }
        }

        if (_ownsDirectory)
        {
            foreach (int pid in _spawned)
            {
                KillAndReap(pid);
            }
        }

        await _services.DisposeAsync();
        if (_ownsDirectory)
        {
            Dir.Dispose();
        }
    }

    /// <summary>SIGKILLs the session a test daemon leads (only if the pid still leads a session: never a reused pid) and reaps it.</summary>
    public static void KillAndReap(int pid)
    {
        if (new ProcFs().TryReadStat(pid) is { } stat && stat.SessionId == pid)
        {
            LinuxNative.kill(-pid, LinuxNative.SIGKILL);
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        var reaper = new ChildReaper();
        while (reaper.TryReap(pid).State == ReapState.StillRunning && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(5);
        }
    }
}
