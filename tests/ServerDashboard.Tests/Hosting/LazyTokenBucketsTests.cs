using System.Threading.RateLimiting;
using ServerDashboard.Hosting;

namespace ServerDashboard.Tests.Hosting;

/// <summary>The API's rate limiter: token buckets per partition, refilled on use (no timer).</summary>
public sealed class LazyTokenBucketsTests
{
    private static LazyTokenBuckets<string> Limiter(int perSecond, int burst) => new(
        request => request == "health" ? null : request,
        _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond + burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = false,
        },
        TimeProvider.System);

    [Fact]
    public void A_partition_over_its_budget_is_refused_with_a_retry_after_and_others_are_not()
    {
        using var limiter = Limiter(perSecond: 1, burst: 2);

        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(limiter.AttemptAcquire("alice").IsAcquired));
        using var refused = limiter.AttemptAcquire("alice");
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));

        Assert.True(limiter.AttemptAcquire("bob").IsAcquired, "another caller has a budget of its own");
        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(limiter.AttemptAcquire("health").IsAcquired)); // not limited
        Assert.Equal(2, limiter.Count);
    }

    [Fact]
    public async Task The_budget_refills_with_time_without_a_timer()
    {
        using var limiter = Limiter(perSecond: 20, burst: 0);
        while (limiter.AttemptAcquire("alice").IsAcquired)
        {
        }

        Assert.False(limiter.AttemptAcquire("alice").IsAcquired);
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // 20 per second: about six tokens
        var granted = 0;
        while (limiter.AttemptAcquire("alice").IsAcquired)
        {
            granted++;
        }

        Assert.InRange(granted, 1, 20);
    }
}
