using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Threading.RateLimiting;

namespace ServerDashboard.Hosting;

/// <summary>
/// A partitioned limiter of token buckets (the library's <see cref="TokenBucketRateLimiter"/>) that refills each bucket
/// when it is used, from the time that passed, instead of on a timer.
/// </summary>
/// <remarks>
/// <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> runs a 100 ms timer for as long as the host
/// lives (to refill buckets and drop idle ones), and auto-replenishing buckets one more each: ten timer fires and
/// thread-pool wake-ups a second, per limiter, on a dashboard nobody calls (docs/PERFORMANCE.md). With
/// <see cref="TokenBucketRateLimiterOptions.AutoReplenishment"/> off the library adds tokens in proportion to the time
/// since the last refill, so refilling just before each acquire gives the same budget. Buckets idle (and so full) for
/// <see cref="IdleAfter"/> are dropped during acquires, at most once per <see cref="IdleAfter"/>.
/// </remarks>
internal sealed class LazyTokenBuckets<TResource>(
    Func<TResource, string?> partitionOf,
    Func<string, TokenBucketRateLimiterOptions> optionsOf,
    TimeProvider time) : PartitionedRateLimiter<TResource>
{
    internal static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> buckets = new(StringComparer.Ordinal);
    private long lastSweep = time.GetTimestamp();
    private int disposed;

    /// <summary>Buckets held (for tests).</summary>
    internal int Count => buckets.Count;

    public override RateLimiterStatistics? GetStatistics(TResource resource) =>
        partitionOf(resource) is { } key && buckets.TryGetValue(key, out var bucket) ? bucket.GetStatistics() : null;

    protected override RateLimitLease AttemptAcquireCore(TResource resource, int permitCount)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (partitionOf(resource) is not { } key)
        {
            return Unlimited.Instance; // not limited (pages, assets, health)
        }

        SweepIdle();
        var bucket = buckets.GetOrAdd(key, static (k, make) => new TokenBucketRateLimiter(Manual(make(k))), optionsOf);
        bucket.TryReplenish();
        return bucket.AttemptAcquire(permitCount);
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(TResource resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount)); // no queue: over the budget is a refusal at once

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            foreach (var bucket in buckets.Values)
            {
                bucket.Dispose();
            }

            buckets.Clear();
        }

        base.Dispose(disposing);
    }

    private static TokenBucketRateLimiterOptions Manual(TokenBucketRateLimiterOptions options) => new()
    {
        TokenLimit = options.TokenLimit,
        TokensPerPeriod = options.TokensPerPeriod,
        ReplenishmentPeriod = options.ReplenishmentPeriod,
        QueueLimit = 0,
        QueueProcessingOrder = options.QueueProcessingOrder,
        AutoReplenishment = false,
    };

    private void SweepIdle()
    {
        var last = Volatile.Read(ref lastSweep);
        if (time.GetElapsedTime(last) < IdleAfter || Interlocked.CompareExchange(ref lastSweep, time.GetTimestamp(), last) != last)
        {
            return;
        }

        foreach (var (key, bucket) in buckets)
        {
            // A bucket unused for a minute is full again: dropping it changes no caller's budget.
            if (bucket.IdleDuration is { } idle && idle >= IdleAfter && buckets.TryRemove(new KeyValuePair<string, TokenBucketRateLimiter>(key, bucket)))
            {
                bucket.Dispose();
            }
        }
    }

    /// <summary>The lease of a request that is not limited.</summary>
    private sealed class Unlimited : RateLimitLease
    {
        public static readonly Unlimited Instance = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, [NotNullWhen(true)] out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
