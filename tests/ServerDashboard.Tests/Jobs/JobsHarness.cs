using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerDashboard.Jobs;
using ServerDashboard.Processes;
using ServerDashboard.Tests.Infrastructure;
using ServerDashboard.Tests.Processes;

namespace ServerDashboard.Tests.Jobs;

/// <summary>
/// A <see cref="JobRunner"/> over a temp PID directory with the real Processes module. <see cref="Restarted"/> gives a
/// second runner on the same directory with no memory of the first (what a dashboard restart sees). Every job's process
/// group is SIGKILLed and reaped on dispose.
/// </summary>
public sealed class JobsHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly ConcurrentBag<int> _pids;
    private readonly bool _ownsDirectory;

    public JobsHarness(Action<JobOptions>? configure = null) : this(new TempDirectory("sd-jobs"), [], true, configure)
    {
    }

    private JobsHarness(TempDirectory dir, ConcurrentBag<int> pids, bool ownsDirectory, Action<JobOptions>? configure)
    {
        Dir = dir;
        _pids = pids;
        _ownsDirectory = ownsDirectory;
        var options = new JobOptions { PidDirectory = dir.Combine("jobs"), PollIntervalSeconds = 0.05, DefaultCancelTimeoutSeconds = 5 };
        configure?.Invoke(options);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
        services.AddProcesses(o => o.DataDirectory = dir.Path);
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(new JobFiles(options.PidDirectory!));
        services.AddSingleton<JobLogStreams>();
        services.AddSingleton<JobRunner>();
        _services = services.BuildServiceProvider();
        Runner.Changed += e =>
        {
            if (e.Record is { Pid: > 0 } r)
            {
                _pids.Add(r.Pid);
            }
        };
    }

    public TempDirectory Dir { get; }

    public JobRunner Runner => _services.GetRequiredService<JobRunner>();

    public JobFiles Files => Runner.Files;

    public JobsHarness Restarted() => new(Dir, _pids, ownsDirectory: false, null);

    public void Track(int pid) => _pids.Add(pid);

    public Task<JobStatusRecord> StartAsync(string name, params string[] argv) =>
        Runner.StartAsync(new JobStartRequest(name, argv, "tester", WorkingDirectory: Dir.Path), CancellationToken.None);

    /// <summary>Polls the runner (as the monitor does) until <paramref name="until"/> holds for the job's current record.</summary>
    public Task<JobStatusRecord?> PollUntilAsync(string name, Func<JobStatusRecord?, bool> until, string what, double seconds = 20) =>
        Eventually.ReturnsAsync(async () =>
        {
            await Runner.PollAsync(CancellationToken.None);
            return Files.ReadStatus(name).Record;
        }, until, TimeSpan.FromSeconds(seconds), what);

    /// <summary>Polls until the name has left the top level, and returns its archived record.</summary>
    public async Task<JobStatusRecord> PollUntilArchivedAsync(string name, double seconds = 20)
    {
        await PollUntilAsync(name, r => r is null && !File.Exists(Files.PidPath(name)), $"job {name} to be archived", seconds);
        return Runner.ListHistory(100).First(r => r.Name == name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsDirectory)
        {
            foreach (int pid in _pids.Distinct())
            {
                ProcessesHarness.KillAndReap(pid);
            }
        }

        await _services.DisposeAsync();
        if (_ownsDirectory)
        {
            Dir.Dispose();
        }
    }
}
