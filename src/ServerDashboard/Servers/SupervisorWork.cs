using System.Collections.Concurrent;

namespace ServerDashboard.Servers;

/// <summary>
/// Every piece of work the supervisor runs beside a request (a stop's escalation, readiness watching, a pending
/// restart) is started here and awaited by <see cref="DrainAsync"/> when the dashboard stops: nothing is
/// fire-and-forget. Work gets <see cref="Stopping"/>, cancelled at shutdown.
/// </summary>
public sealed class SupervisorWork(ILogger<SupervisorWork> logger)
{
    private readonly ConcurrentDictionary<Task, byte> running = new();
    // Never disposed: the container may dispose singletons before (or without) the host's StopAsync, and a
    // CancellationTokenSource without a timer holds nothing the GC cannot reclaim.
    private readonly CancellationTokenSource stopping = new();

    public CancellationToken Stopping => stopping.Token;

    /// <summary>Runs <paramref name="work"/> on the thread pool as the system (not as whoever triggered it).</summary>
    public Task<T> Run<T>(string what, Func<CancellationToken, Task<T>> work)
    {
        var task = Task.Run(async () =>
        {
            using var _ = PowerActor.Use(PowerActor.System);
            return await work(stopping.Token);
        }, CancellationToken.None);
        running[task] = 0;
        _ = task.ContinueWith(t =>
        {
            running.TryRemove(t, out _);
            if (t.IsFaulted)
            {
                logger.LogError(t.Exception, "Supervisor work '{What}' failed", what);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    public Task Run(string what, Func<CancellationToken, Task> work) => Run<bool>(what, async ct =>
    {
        await work(ct);
        return true;
    });

    /// <summary>Cancels what waits (readiness, pending restarts) and awaits everything still running.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        try
        {
            await Task.WhenAll(running.Keys).WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Each failure was logged by its continuation; cancellations are the point of draining.
        }
    }
}
