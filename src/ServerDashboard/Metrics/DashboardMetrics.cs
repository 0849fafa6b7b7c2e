using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Prometheus;
using ServerDashboard.Jobs;
using ServerDashboard.Servers;

namespace ServerDashboard.Metrics;

/// <summary>
/// The Prometheus registry behind <c>GET /metrics</c> (prometheus-net; docs/metrics.md). Per-server series are set at
/// scrape time from what the dashboard already knows (the status board, the last monitoring tick, the running totals);
/// only RCON commands are observed as they happen (a histogram cannot be set afterwards). Series of deleted or renamed
/// servers are removed at the next scrape. The dashboard's own process and runtime metrics come from prometheus-net's
/// <see cref="DotNetStats"/>, HTTP request durations from ASP.NET Core's own meters through <see cref="MeterAdapter"/>.
/// One registry per app (never prometheus-net's static default registry), so test hosts in one process stay apart.
/// </summary>
public sealed class DashboardMetrics : IDisposable
{
    /// <summary>RCON observations kept while their server's name is not known yet (it is after the next scrape).</summary>
    private const int MaxPendingRcon = 10_000;

    private static readonly string[] ServerLabels = ["server", "id"];
    private static readonly ServerState[] States = Enum.GetValues<ServerState>();

    /// <summary>
    /// ASP.NET Core's meters worth a dashboard: request durations and active requests, connections, SignalR connections.
    /// (Routing, authentication, memory-pool and rate-limiter meters would triple the output for little use.)
    /// </summary>
    private static readonly HashSet<string> AspNetCoreMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections"];

    /// <summary>The boundaries ASP.NET Core's docs recommend for <c>http.server.request.duration</c> (seconds).</summary>
    private static readonly double[] HttpBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly ServerCatalog catalog;
    private readonly ServerStatusBoard board;
    private readonly ServerTotals totals;
    private readonly MetricsTickHandler ticks;
    private readonly JobRunner jobs;
    private readonly ILogger<DashboardMetrics> logger;
    private readonly IDisposable meterAdapter;
    private readonly SemaphoreSlim scrapeGate = new(1, 1);
    private readonly ConcurrentDictionary<int, string> names = new();
    private readonly ConcurrentQueue<(int ServerId, double Seconds, string Outcome)> pendingRcon = new();

    private readonly Gauge up;
    private readonly Gauge state;
    private readonly Counter restarts;
    private readonly Counter crashes;
    private readonly Counter oomKills;
    private readonly Counter cpuSeconds;
    private readonly Gauge memoryBytes;
    private readonly Gauge openFds;
    private readonly Gauge threads;
    private readonly Counter logLines;
    private readonly Counter droppedLines;
    private readonly Counter rconCommands;
    private readonly Histogram rconDuration;
    private readonly Gauge jobsRunning;
    private readonly Counter jobsFinished;

    public DashboardMetrics(
        ServerCatalog catalog,
        ServerStatusBoard board,
        ServerTotals totals,
        MetricsTickHandler ticks,
        JobRunner jobs,
        IMeterFactory meterFactory,
        ILogger<DashboardMetrics> logger)
    {
        this.catalog = catalog;
        this.board = board;
        this.totals = totals;
        this.ticks = ticks;
        this.jobs = jobs;
        this.logger = logger;

        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        up = factory.CreateGauge("serverdashboard_server_up", "1 while the server is Running (started and ready), else 0.", ServerLabels);
        state = factory.CreateGauge("serverdashboard_server_state", "1 for the server's current state, 0 for the others.", [.. ServerLabels, "state"]);
        restarts = factory.CreateCounter("serverdashboard_server_restarts_total", "Restarts: automatic ones by the restart policy and Restart actions.", ServerLabels);
        crashes = factory.CreateCounter("serverdashboard_server_crashes_total", "Crash records written (unrequested exits).", ServerLabels);
        oomKills = factory.CreateCounter("serverdashboard_server_oom_kills_total", "Runs ended by the kernel's OOM killer at the server's memory limit.", ServerLabels);
        cpuSeconds = factory.CreateCounter("serverdashboard_server_cpu_seconds_total", "CPU time (user + system) of the server's process tree, as of the last monitoring tick.", ServerLabels);
        memoryBytes = factory.CreateGauge("serverdashboard_server_resident_memory_bytes", "Memory of the server's process tree (its cgroup's charge where it has one, else the sum of RSS), as of the last monitoring tick.", ServerLabels);
        openFds = factory.CreateGauge("serverdashboard_server_open_fds", "Open file descriptors of the server's process tree, as of the last monitoring tick.", ServerLabels);
        threads = factory.CreateGauge("serverdashboard_server_threads", "Threads of the server's process tree, as of the last monitoring tick.", ServerLabels);
        logLines = factory.CreateCounter("serverdashboard_server_log_lines_total", "Lines read from the server's console and log files.", ServerLabels);
        droppedLines = factory.CreateCounter("serverdashboard_server_log_dropped_lines_total", "Log lines slow viewers (console, hub streams) lost because their queue was full.", ServerLabels);
        rconCommands = factory.CreateCounter("serverdashboard_server_rcon_commands_total", "RCON commands sent, by outcome (ok: a reply came; error: failed or timed out).", [.. ServerLabels, "outcome"]);
        rconDuration = factory.CreateHistogram("serverdashboard_server_rcon_command_duration_seconds", "Time from sending an RCON command (connecting first if needed) to its reply or failure.",
            ServerLabels, new HistogramConfiguration { Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        jobsRunning = factory.CreateGauge("serverdashboard_jobs_running", "Background jobs (and backups) running now.");
        jobsFinished = factory.CreateCounter("serverdashboard_jobs_finished_total", "Background jobs that finished, by final status.", ["status"]);
        foreach (var status in new[] { JobStates.Succeeded, JobStates.Failed, JobStates.Cancelled, JobStates.Lost })
        {
            jobsFinished.WithLabels(status); // every status from the first scrape on, so increase() sees the first one
        }

        // process_* (CPU, resident memory, open fds, threads, start time) and dotnet_* (GC, memory) of the dashboard.
        DotNetStats.Register(Registry);
        // ASP.NET Core's own meters (http.server.request.duration, active requests, Kestrel and SignalR connections) of
        // this app only: another host in the same process (tests) has its own IMeterFactory, hence other meters.
        meterAdapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            // Needed as well: the options' default factory is the static default registry's, and it wins over Registry
            // (prometheus-net 8.2.1; seen as HTTP durations missing from /metrics).
            MetricFactory = factory,
            ResolveHistogramBuckets = _ => HttpBuckets,
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter.Scope, meterFactory) && AspNetCoreMeters.Contains(instrument.Meter.Name),
        });
        Registry.AddBeforeCollectCallback(UpdateAsync);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>A job reached a final status.</summary>
    public void JobFinished(string status) => jobsFinished.WithLabels(status).Inc();

    /// <summary>One RCON command of <paramref name="serverId"/> finished after <paramref name="seconds"/>.</summary>
    public void RconCommandFinished(int serverId, double seconds, string outcome)
    {
        if (names.TryGetValue(serverId, out var name))
        {
            Observe(serverId, name, seconds, outcome);
        }
        else if (pendingRcon.Count < MaxPendingRcon)
        {
            pendingRcon.Enqueue((serverId, seconds, outcome)); // a server created since the last scrape
        }
    }

    /// <summary>Brings every series up to date; prometheus-net calls this before each collection.</summary>
    internal async Task UpdateAsync(CancellationToken cancellationToken)
    {
        await scrapeGate.WaitAsync(cancellationToken);
        try
        {
            var servers = await catalog.ListAsync(cancellationToken);
            var current = servers.ToDictionary(s => s.Id, s => s.Name);
            foreach (var id in names.Keys.Where(id => !current.ContainsKey(id)).ToList())
            {
                names.TryRemove(id, out _);
            }

            foreach (var (id, name) in current)
            {
                names[id] = name;
            }

            DrainPendingRcon();
            RemoveStaleSeries(current);
            totals.Forget(current.Keys);

            var tick = ticks.Latest;
            foreach (var (id, name) in current)
            {
                var labels = new[] { name, Id(id) };
                var status = board.Get(id);
                up.WithLabels(labels).Set(status.State == ServerState.Running ? 1 : 0);
                foreach (var candidate in States)
                {
                    state.WithLabels(name, Id(id), candidate.ToString()).Set(candidate == status.State ? 1 : 0);
                }

                var t = totals.For(id);
                restarts.WithLabels(labels).IncTo(t.Restarts);
                crashes.WithLabels(labels).IncTo(t.Crashes);
                oomKills.WithLabels(labels).IncTo(t.OomKills);
                cpuSeconds.WithLabels(labels).IncTo(t.CpuSeconds);
                logLines.WithLabels(labels).IncTo(t.LogLines);
                droppedLines.WithLabels(labels).IncTo(t.DroppedLines);
                rconCommands.WithLabels(name, Id(id), "ok");
                rconCommands.WithLabels(name, Id(id), "error");

                // Live figures only while a daemon is alive: a stopped server has no memory to report, not zero.
                if (status.State.IsActive() && tick?.For(id) is { Alive: true } sample)
                {
                    SetOrRemove(memoryBytes, labels, sample.MemoryBytes);
                    SetOrRemove(openFds, labels, sample.OpenFiles);
                    SetOrRemove(threads, labels, sample.Threads);
                }
                else
                {
                    memoryBytes.RemoveLabelled(labels);
                    openFds.RemoveLabelled(labels);
                    threads.RemoveLabelled(labels);
                }
            }

            jobsRunning.Set(jobs.ListCurrent().Count(j => j.Record?.Status == JobStates.Running));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The scrape still answers (with the previous values): Prometheus' own up{} and gaps show the trouble.
            logger.LogError(ex, "Could not update the per-server metrics for a scrape");
        }
        finally
        {
            scrapeGate.Release();
        }
    }

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    private static void SetOrRemove(Gauge gauge, string[] labels, double? value)
    {
        if (value is { } v)
        {
            gauge.WithLabels(labels).Set(v);
        }
        else
        {
            gauge.RemoveLabelled(labels);
        }
    }

    private void Observe(int serverId, string name, double seconds, string outcome)
    {
        rconDuration.WithLabels(name, Id(serverId)).Observe(seconds);
        rconCommands.WithLabels(name, Id(serverId), outcome).Inc();
    }

    private void DrainPendingRcon()
    {
        var count = pendingRcon.Count;
        for (var i = 0; i < count && pendingRcon.TryDequeue(out var pending); i++)
        {
            if (names.TryGetValue(pending.ServerId, out var name))
            {
                Observe(pending.ServerId, name, pending.Seconds, pending.Outcome);
            }
        }
    }

    /// <summary>Drops every series whose (server, id) is no longer a server of that name: deleted, or renamed.</summary>
    private void RemoveStaleSeries(IReadOnlyDictionary<int, string> current)
    {
        bool Stale(string[] labels) =>
            !int.TryParse(labels[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !current.TryGetValue(id, out var name) || name != labels[0];

        foreach (var gauge in new[] { up, state, memoryBytes, openFds, threads })
        {
            foreach (var labels in gauge.GetAllLabelValues().Where(Stale).ToList())
            {
                gauge.RemoveLabelled(labels);
            }
        }

        foreach (var counter in new[] { restarts, crashes, oomKills, cpuSeconds, logLines, droppedLines, rconCommands })
        {
            foreach (var labels in counter.GetAllLabelValues().Where(Stale).ToList())
            {
                counter.RemoveLabelled(labels);
            }
        }

        foreach (var labels in rconDuration.GetAllLabelValues().Where(Stale).ToList())
        {
            rconDuration.RemoveLabelled(labels);
        }
    }

    public void Dispose()
    {
        meterAdapter.Dispose();
        scrapeGate.Dispose();
    }
}
