using System.Diagnostics;

namespace ServerDashboard.Hosting;

public enum ShutdownHandlerStatus
{
    Completed,
    /// <summary>It threw: logged, and the next handler ran anyway.</summary>
    Failed,
    /// <summary>It did not finish within its timeout: its token was cancelled, it was left behind and the next one ran.</summary>
    TimedOut,
}

public sealed record ShutdownHandlerOutcome(string Name, ShutdownHandlerStatus Status, TimeSpan Duration, string? Error);

/// <summary>
/// The ordered registry of shutdown handlers (the seed's <c>add_shutdown_handler</c> / <c>on_shutdown</c>). Each handler
/// runs once, in order (by <c>order</c>, then by registration), when the dashboard stops (SIGTERM, SIGINT, host stop),
/// each under its own timeout. One that throws or hangs is logged and skipped: the rest still run. Every outcome is
/// logged with its duration.
/// </summary>
public sealed class ShutdownHandlers(TimeProvider time, ILogger<ShutdownHandlers> logger)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Handlers that must run after every other one (the instance lock's release) use this order.</summary>
    public const int Last = int.MaxValue;

    private readonly Lock gate = new();
    private readonly List<Entry> entries = [];
    private int ran;

    /// <summary>The handlers in the order they will run.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (gate)
            {
                return Ordered().Select(e => e.Name).ToList();
            }
        }
    }

    /// <summary>An asynchronous handler; it gets a token cancelled when its <paramref name="timeout"/> (default 5 s) expires.</summary>
    public void Add(string name, Func<CancellationToken, Task> handler, TimeSpan? timeout = null, int order = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (gate)
        {
            entries.Add(new Entry(name, handler, timeout ?? DefaultTimeout, order, entries.Count));
        }
    }

    /// <summary>A synchronous handler (run on the thread pool, so a hang cannot hold the others up).</summary>
    public void Add(string name, Action handler, TimeSpan? timeout = null, int order = 0) =>
        Add(name, _ => { handler(); return Task.CompletedTask; }, timeout, order);

    /// <summary>Runs every handler once; later calls return at once with no outcomes.</summary>
    public async Task<IReadOnlyList<ShutdownHandlerOutcome>> RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref ran, 1) == 1)
        {
            return [];
        }

        List<Entry> ordered;
        lock (gate)
        {
            ordered = Ordered().ToList();
        }

        var outcomes = new List<ShutdownHandlerOutcome>();
        foreach (var entry in ordered)
        {
            outcomes.Add(await RunOneAsync(entry, cancellationToken));
        }

        return outcomes;
    }

    private async Task<ShutdownHandlerOutcome> RunOneAsync(Entry entry, CancellationToken cancellationToken)
    {
        long started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(entry.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        ShutdownHandlerOutcome outcome;
        try
        {
            // Task.Run: a synchronous handler that blocks (or an async one that blocks before its first await) is abandoned
            // at its timeout instead of holding up the rest.
            await Task.Run(() => entry.Handler(linked.Token), CancellationToken.None).WaitAsync(entry.Timeout, time, cancellationToken);
            outcome = new ShutdownHandlerOutcome(entry.Name, ShutdownHandlerStatus.Completed, time.GetElapsedTime(started), null);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && timeout.IsCancellationRequested))
        {
            outcome = new ShutdownHandlerOutcome(entry.Name, ShutdownHandlerStatus.TimedOut, time.GetElapsedTime(started), $"did not finish within {entry.Timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e)
        {
            outcome = new ShutdownHandlerOutcome(entry.Name, ShutdownHandlerStatus.Failed, time.GetElapsedTime(started), e.Message);
            logger.LogError(e, "Shutdown handler {Handler} failed after {DurationMs} ms", entry.Name, (long)outcome.Duration.TotalMilliseconds);
            return outcome;
        }

        if (outcome.Status == ShutdownHandlerStatus.Completed)
        {
            logger.LogInformation("Shutdown handler {Handler} completed in {DurationMs} ms", entry.Name, (long)outcome.Duration.TotalMilliseconds);
        }
        else
        {
            logger.LogWarning("Shutdown handler {Handler} timed out after {DurationMs} ms ({Error}): skipped", entry.Name, (long)outcome.Duration.TotalMilliseconds, outcome.Error);
        }

        return outcome;
    }

    private IEnumerable<Entry> Ordered() => entries.OrderBy(e => e.Order).ThenBy(e => e.Sequence);

    [DebuggerDisplay("{Name} ({Order})")]
    private sealed record Entry(string Name, Func<CancellationToken, Task> Handler, TimeSpan Timeout, int Order, int Sequence);
}
