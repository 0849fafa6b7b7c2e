using System.Threading.Channels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using ServerDashboard.Auth;
using ServerDashboard.Components.Processes;
using ServerDashboard.Components.Shared;
using ServerDashboard.Data;
using ServerDashboard.Processes;
using ServerDashboard.Servers;

namespace ServerDashboard.Components.Pages;

/// <summary>
/// The tracked daemons and their /proc figures. Owns one background loop (sampling every <see cref="RefreshInterval"/>, and at
/// once when a server's status changes or an action finishes) and a token source that <see cref="DisposeAsync"/> cancels.
/// </summary>
public sealed partial class Processes
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The collector rates CPU against a sample at least 1 s old, or else against the process start: the page shows a
    /// figure only once it has itself sampled the daemon that long ago, so the first number is a current rate.
    /// </summary>
    private static readonly TimeSpan CpuWindow = TimeSpan.FromSeconds(1);

    private const string CleanupDeadAction = "dead";
    private const string CleanupAllAction = "all";
    private const string ForceCleanupAction = "force";

    private readonly CancellationTokenSource cts = new();

    // Wake-ups for the loop; capacity 1 with DropWrite because one pending refresh covers any number of requests.
    private readonly Channel<bool> refreshRequests = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Dictionary<int, DateTimeOffset> firstSeen = [];
    private Task? loop;
    private IDisposable? statusSubscription;
    private IReadOnlyDictionary<string, ServerDefinition> definitions = new Dictionary<string, ServerDefinition>();
    private HashSet<string> definitionsLoadedFor = [];
    private ProcessRegistryStats? stats;
    private IReadOnlyList<ProcessRow> rows = [];
    private string? sampleError;
    private bool canOperate;
    private string? busyAction;
    private int? busyPid;

    [Inject] private ServerProcesses Collector { get; set; } = default!;
    [Inject] private ProcessCleanup Cleanup { get; set; } = default!;
    [Inject] private ServerDashboard.Audit.CircuitActor Actor { get; set; } = default!;
    [Inject] private ServerCatalog Catalog { get; set; } = default!;
    [Inject] private ServerStatusBoard StatusBoard { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private IAuthorizationService Authorization { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ILogger<Processes> Logger { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private bool IsBusy => busyAction is not null;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthState).User;
        canOperate = (await Authorization.AuthorizeAsync(user, Policies.Operate)).Succeeded;
        // The first sample renders with the page (also when prerendered), so it never flashes empty.
        Apply(await SampleAsync(forceDefinitions: true, cts.Token));
    }

    protected override void OnAfterRender(bool firstRender)
    {
        // Only once interactive: a prerendered instance is thrown away and must not leave a loop behind.
        if (firstRender)
        {
            statusSubscription = StatusBoard.Subscribe(_ => RequestRefresh());
            loop = RefreshLoopAsync(cts.Token);
        }
    }

    private void RequestRefresh() => refreshRequests.Writer.TryWrite(true);

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(RefreshInterval, Time);
            // Both waits stay pending across iterations: a PeriodicTimer allows one waiter at a time, and a tick (or a
            // request) that arrives while we sample must not be lost.
            Task<bool>? tick = null;
            Task<bool>? request = null;
            while (true)
            {
                tick ??= timer.WaitForNextTickAsync(cancellationToken).AsTask();
                request ??= refreshRequests.Reader.WaitToReadAsync(cancellationToken).AsTask();
                var woke = await Task.WhenAny(tick, request);
                if (!await woke)
                {
                    return; // the timer was disposed or the channel completed: nothing more to wait for
                }

                var byRequest = woke == request;
                if (byRequest)
                {
                    request = null;
                    refreshRequests.Reader.TryRead(out _);
                }
                else
                {
                    tick = null;
                }

                // A status change is when a server appears or is renamed in the catalog: reload the names then.
                var sample = await SampleAsync(forceDefinitions: byRequest, cancellationToken);
                await InvokeAsync(() =>
                {
                    Apply(sample);
                    StateHasChanged();
                });
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The page is going away: a cancelled wait, or a render that raced the circuit's teardown.
        }
        catch (Exception ex)
        {
            // Unexpected (sampling errors are caught in SampleAsync): show it through the page's error boundary.
            await DispatchExceptionAsync(ex);
        }
    }

    /// <summary>A snapshot taken off the renderer: the /proc read and the catalog query. <see cref="Apply"/> publishes it.</summary>
    private async Task<Sample> SampleAsync(bool forceDefinitions, CancellationToken cancellationToken)
    {
        try
        {
            var collected = Collector.Collect();
            var ids = collected.Processes.Select(p => p.ServerId).ToHashSet(StringComparer.Ordinal);
            IReadOnlyDictionary<string, ServerDefinition>? loaded = null;
            if (forceDefinitions || !ids.SetEquals(definitionsLoadedFor))
            {
                var servers = await Catalog.ListAsync(cancellationToken);
                loaded = servers.ToDictionary(s => s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
            }

            return new Sample(collected, loaded, ids, Time.GetUtcNow(), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            Logger.LogWarning(ex, "Processes page: sampling failed");
            return new Sample(null, null, null, Time.GetUtcNow(), ex.Message);
        }
    }

    /// <summary>Publishes a sample. Runs on the renderer, so it is the only writer of the page's state.</summary>
    private void Apply(Sample sample)
    {
        sampleError = sample.Error;
        if (sample.Stats is null)
        {
            return; // keep showing the last good figures under the warning
        }

        if (sample.Definitions is not null)
        {
            definitions = sample.Definitions;
            definitionsLoadedFor = sample.ServerIds!;
        }

        foreach (var pid in firstSeen.Keys.Except(sample.Stats.Processes.Select(p => p.Pid)).ToList())
        {
            firstSeen.Remove(pid);
        }

        stats = sample.Stats;
        rows = [.. sample.Stats.Processes.Select(p =>
        {
            var seen = firstSeen.TryGetValue(p.Pid, out var first) ? first : firstSeen[p.Pid] = sample.At;
            return ProcessRow.From(p, definitions.GetValueOrDefault(p.ServerId), cpuKnown: sample.At - seen >= CpuWindow);
        })];
    }

    private async Task CleanupDeadAsync()
    {
        await RunActionAsync(CleanupDeadAction, null, () =>
        {
            var removed = Cleanup.CleanupDead();
            Snackbar.Add(removed > 0 ? $"Removed {ProcessFormat.Count(removed, "dead entry", "dead entries")}." : "There were no dead entries to remove.",
                removed > 0 ? Severity.Success : Severity.Info);
            return Task.CompletedTask;
        });
    }

    private async Task CleanupAllAsync()
    {
        var ok = await Dialogs.ConfirmAsync("Clean up all tracking?",
            "Forgets every daemon that has exited, then re-checks every PID file on disk: files naming a process that is gone, " +
            "or is no longer the one that was started, are deleted. Live servers are never stopped, and valid PID files are kept " +
            "(daemons started elsewhere are adopted).",
            "Clean up all");
        if (!ok)
        {
            return;
        }

        await RunActionAsync(CleanupAllAction, null, async () =>
        {
            var removed = await Cleanup.CleanupAllAsync(await Actor.GetAsync(), cts.Token);
            Snackbar.Add(removed > 0 ? $"Removed {ProcessFormat.Count(removed, "stale entry or PID file", "stale entries and PID files")}." : "Nothing was stale.",
                removed > 0 ? Severity.Success : Severity.Info);
        });
    }

    private async Task ForceCleanupAsync(ProcessRow row)
    {
        var name = row.ServerName is { } n ? $"'{n}'" : $"server {row.ServerId}";
        var (question, okText) = (row.Alive, row.ServerName) switch
        {
            (true, not null) => ($"{name} (pid {row.Pid}) is running. It is stopped first, as by Stop (gracefully, then killed after its stop timeout), " +
                                 "then forgotten and its PID file deleted.", "Stop and clean up"),
            (true, null) => ($"Pid {row.Pid} is alive, but no server definition matches it, so it cannot be stopped from here. " +
                             "It is only forgotten and its PID file deleted: the process keeps running, untracked.", "Forget it"),
            _ => ($"{name} (pid {row.Pid}) has exited. Its entry is forgotten and any PID file left is deleted.", "Clean up"),
        };
        var ok = await Dialogs.ConfirmAsync($"Force cleanup of pid {row.Pid}?", question, okText, Color.Error);
        if (!ok)
        {
            return;
        }

        await RunActionAsync(ForceCleanupAction, row.Pid, async () =>
        {
            var result = await Cleanup.ForceCleanupAsync(row.Pid, await Actor.GetAsync(), cts.Token);
            if (result.Refused is { } why)
            {
                Snackbar.Add($"Force cleanup refused: {why}", Severity.Warning);
                return;
            }

            if (!result.Tracked)
            {
                Snackbar.Add($"Pid {row.Pid} was no longer tracked.", Severity.Info);
                return;
            }

            Snackbar.Add(result.Stopped ? $"Stopped {name} and forgot pid {row.Pid}." : $"Forgot pid {row.Pid} of {name}.", Severity.Success);
        });
    }

    /// <summary>One action at a time; its failure is a toast, and the figures are refreshed whatever happened.</summary>
    private async Task RunActionAsync(string action, int? pid, Func<Task> run)
    {
        if (!canOperate || IsBusy)
        {
            return; // the buttons are hidden or disabled then; this guards a stale click
        }

        busyAction = action;
        busyPid = pid;
        try
        {
            await run();
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // The page was closed while waiting (a stop continues in the supervisor).
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Logger.LogWarning(ex, "Processes page: {Action} cleanup failed", action);
            Snackbar.Add($"Cleanup failed: {ex.Message}", Severity.Error);
        }
        finally
        {
            busyAction = null;
            busyPid = null;
            RequestRefresh();
        }
    }

    public async ValueTask DisposeAsync()
    {
        statusSubscription?.Dispose();
        await cts.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }

        cts.Dispose();
    }

    private sealed record Sample(
        ProcessRegistryStats? Stats,
        IReadOnlyDictionary<string, ServerDefinition>? Definitions,
        HashSet<string>? ServerIds,
        DateTimeOffset At,
        string? Error);
}
