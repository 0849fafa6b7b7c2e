using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace ServerDashboard.Hosting;

/// <summary>"Dashboard:Memory": giving memory back to the host once a burst of work is over (docs/configuration.md).</summary>
public sealed class MemoryTrimOptions
{
    /// <summary>Compact the heap and return unused memory to the OS when the GC holds much more than it uses (default on).</summary>
    public bool TrimUnusedMemory { get; set; } = true;

    /// <summary>How often the GC's figures are looked at (default 5 s; two counters read, nothing else).</summary>
    public int CheckIntervalSeconds { get; set; } = 5;

    /// <summary>Trim when the GC holds at least this much committed memory beyond the live heap (default 8 MB).</summary>
    public int TrimAboveUnusedMegabytes { get; set; } = 8;

    /// <summary>At most one trim per this many seconds (default 30 s): a trim is a full blocking GC.</summary>
    public int MinimumSecondsBetweenTrims { get; set; } = 30;

    /// <summary>
    /// Collect the young generations (0 and 1) when the dashboard has allocated this much since the GC last collected
    /// (default 4 MB; 0 leaves it to the GC): bounds how much fresh memory is touched between collections.
    /// </summary>
    public int CollectAfterAllocatedMegabytes { get; set; } = 4;
}

/// <summary>
/// One look at the process: bytes allocated so far, the GC's committed and live bytes at its last collection, and how many
/// collections of the youngest generation it has made.
/// </summary>
public readonly record struct MemorySample(long AllocatedBytes, long CommittedBytes, long HeapBytes, int YoungCollections = 0);

/// <summary>
/// Decides when a trim pays: when the GC holds more unused memory than the threshold <b>and</b> more than the dashboard
/// allocated during the last interval (during a burst — start-up, starting 100 servers — it would commit it again at once),
/// and not more often than the minimum spacing (a trim is a full blocking collection).
/// </summary>
public sealed class MemoryTrimPolicy(MemoryTrimOptions options)
{
    private long? _lastAllocated;
    private TimeSpan? _lastTrim;

    /// <summary>Feeds one sample taken at <paramref name="now"/> (any monotonic clock); true when a trim is due.</summary>
    public bool ShouldTrim(MemorySample sample, TimeSpan now)
    {
        long allocatedSinceLast = _lastAllocated is { } last ? sample.AllocatedBytes - last : long.MaxValue;
        _lastAllocated = sample.AllocatedBytes;
        long unused = sample.CommittedBytes - sample.HeapBytes;
        bool worthIt = unused >= (long)options.TrimAboveUnusedMegabytes * 1024 * 1024 && allocatedSinceLast < unused;
        bool spaced = _lastTrim is not { } previous || now - previous >= TimeSpan.FromSeconds(options.MinimumSecondsBetweenTrims);
        if (worthIt && spaced)
        {
            _lastTrim = now;
            return true;
        }

        return false;
    }

    private int? _youngCollections;
    private long _allocatedAtYoungCollection;

    /// <summary>
    /// Feeds the same sample; true when the dashboard allocated <see cref="MemoryTrimOptions.CollectAfterAllocatedMegabytes"/>
    /// since the GC last collected (as far as samples tell: a collection is seen at the first sample after it).
    /// </summary>
    public bool ShouldCollectYoung(MemorySample sample)
    {
        if (_youngCollections != sample.YoungCollections)
        {
            _youngCollections = sample.YoungCollections; // the GC collected since the last look (or this is the first)
            _allocatedAtYoungCollection = sample.AllocatedBytes;
            return false;
        }

        if (options.CollectAfterAllocatedMegabytes <= 0
            || sample.AllocatedBytes - _allocatedAtYoungCollection < (long)options.CollectAfterAllocatedMegabytes * 1024 * 1024)
        {
            return false;
        }

        _allocatedAtYoungCollection = sample.AllocatedBytes;
        return true;
    }
}

/// <summary>
/// Returns memory the GC keeps committed but does not use. Measured with 100 servers (docs/PERFORMANCE.md): the
/// workstation GC held 67 MB committed for a live heap of 16 MB after the servers were started — free regions of the
/// burst and a generation-0 budget sized from the CPU's 32 MB L3 cache — and kept it; glibc likewise keeps freed native
/// memory in its arenas. The budget can only be lowered by an environment variable (<c>DOTNET_GCgen0size</c>, no
/// runtimeconfig knob), so instead an aggressive (compacting, decommitting) collection runs when the policy says it pays:
/// 15–40 ms, at most every 30 s. Like any full blocking collection it pauses every managed thread meanwhile. Between
/// trims, a young collection after every few MB allocated keeps the GC from touching fresh memory for its whole
/// generation-0 budget (with 100 servers, RSS rose 15–18 MB between two trims; a generation-0 budget of 6 MB set by
/// environment variable did not flatten it, the induced collections do).
/// </summary>
public sealed partial class MemoryTrimmer(IOptions<DashboardOptions> options, TimeProvider time, ILogger<MemoryTrimmer> logger) : BackgroundService
{
    /// <summary>What one trim does; replaced in tests.</summary>
    internal Action Trim { get; init; } = TrimProcessMemory;

    /// <summary>The GC's figures; replaced in tests.</summary>
    internal Func<MemorySample> Sample { get; init; } = SampleProcess;

    /// <summary>What a young collection does; replaced in tests.</summary>
    internal Action CollectYoung { get; init; } = static () => GC.Collect(1, GCCollectionMode.Forced, blocking: true, compacting: false);

    internal int Trims { get; private set; }

    internal int YoungCollections { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Memory;
        if (!settings.TrimUnusedMemory)
        {
            return;
        }

        var policy = new MemoryTrimPolicy(settings);
        long started = time.GetTimestamp();
        var baseline = Sample();
        _ = policy.ShouldTrim(baseline, TimeSpan.Zero); // the baseline: the first tick can already see the start-up burst end
        _ = policy.ShouldCollectYoung(baseline);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, settings.CheckIntervalSeconds)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var sample = Sample();
                if (logger.IsEnabled(LogLevel.Trace))
                {
                    logger.LogTrace("Memory: {Allocated:N0} bytes allocated so far, {Committed:N0} committed by the GC, {Heap:N0} live at its last collection",
                        sample.AllocatedBytes, sample.CommittedBytes, sample.HeapBytes);
                }

                if (policy.ShouldTrim(sample, time.GetElapsedTime(started)))
                {
                    long began = time.GetTimestamp();
                    Trim();
                    Trims++;
                    logger.LogDebug("Memory trimmed in {Milliseconds:N1} ms: the GC held {Unused:N0} bytes beyond its live heap, {Committed:N0} committed now",
                        time.GetElapsedTime(began).TotalMilliseconds, sample.CommittedBytes - sample.HeapBytes, GC.GetGCMemoryInfo().TotalCommittedBytes);
                }
                else if (policy.ShouldCollectYoung(sample))
                {
                    CollectYoung();
                    YoungCollections++;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static MemorySample SampleProcess()
    {
        var info = GC.GetGCMemoryInfo();
        return new MemorySample(GC.GetTotalAllocatedBytes(precise: false), info.TotalCommittedBytes, info.HeapSizeBytes, GC.CollectionCount(0));
    }

    private static void TrimProcessMemory()
    {
        // Aggressive: compacts every generation and decommits what the GC holds beyond the live heap (.NET 7+).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            // glibc only: returns free memory at the top of each malloc arena and unused pages inside them (SQLite's and
            // the runtime's native allocations). musl has no malloc_trim: nothing to do there.
            _ = malloc_trim(0);
        }
        catch (EntryPointNotFoundException)
        {
        }
        catch (DllNotFoundException)
        {
        }
    }

    [LibraryImport("libc")]
    private static partial int malloc_trim(nuint pad);
}
