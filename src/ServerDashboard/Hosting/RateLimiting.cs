using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using ServerDashboard.Auth;

namespace ServerDashboard.Hosting;

/// <summary>
/// A rate limit on <c>/api</c>, one token bucket per (caller, endpoint class): the caller is the user or the
/// API key (<see cref="PrincipalKey"/>), never the address, so users behind one proxy do not share a budget. Classes:
/// log reads, other reads, and actions (every unsafe method: power, commands, cleanup, definitions). Over the budget: 429 with
/// Retry-After. Limits from <c>Dashboard:RateLimits</c>; normal use (a script polling 20 times a second) never meets them.
/// </summary>
public static class RateLimiting
{
    public const string LogReads = "logs";
    public const string Reads = "reads";
    public const string Actions = "actions";

    public static IServiceCollection AddDashboardRateLimiting(this IServiceCollection services)
    {
        // Not ASP.NET Core's rate-limiting middleware: it always builds an endpoint limiter with PartitionedRateLimiter.Create,
        // which runs a 100 ms timer for the host's lifetime even when no endpoint has a policy (see LazyTokenBuckets).
        services.AddSingleton(provider =>
        {
            var limits = provider.GetRequiredService<IOptions<DashboardOptions>>().Value.RateLimits;
            return new LazyTokenBuckets<HttpContext>(
                context => Classify(context.Request) is { } endpointClass ? $"{endpointClass}|{CallerOf(context)}" : null,
                key => Bucket(RateOf(limits, key[..key.IndexOf('|', StringComparison.Ordinal)]), limits.Burst),
                provider.GetRequiredService<TimeProvider>());
        });
        return services;
    }

    /// <summary>Applies the budget (after authentication: it is per user or API key); over it: 429 with Retry-After.</summary>
    public static IApplicationBuilder UseDashboardRateLimiting(this IApplicationBuilder app)
    {
        var buckets = app.ApplicationServices.GetRequiredService<LazyTokenBuckets<HttpContext>>();
        return app.Use(async (context, next) =>
        {
            using var lease = buckets.AttemptAcquire(context);
            if (lease.IsAcquired)
            {
                await next(context);
                return;
            }

            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"Rate limit reached for this user or API key; retry after {seconds} s.")
                .ExecuteAsync(context);
        });
    }

    /// <summary>The endpoint class of an API request, or null for what is not limited (pages, assets, health, hubs).</summary>
    internal static string? Classify(HttpRequest request)
    {
        if (!request.Path.StartsWithSegments("/api/v1", out var rest) || rest.StartsWithSegments("/health"))
        {
            return null;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return Actions;
        }

        return rest.Value is { } path && (path.EndsWith("/logs", StringComparison.Ordinal) || path.EndsWith("/logs/download", StringComparison.Ordinal))
            ? LogReads
            : Reads;
    }

    private static string CallerOf(HttpContext context) =>
        PrincipalKey.Of(context.User)
        ?? "anonymous:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"); // refused later anyway (401)

    private static int RateOf(RateLimitOptions limits, string endpointClass) => endpointClass switch
    {
        LogReads => limits.LogReadsPerSecond,
        Actions => limits.ActionsPerSecond,
        _ => limits.ReadsPerSecond,
    };

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = Math.Max(1, perSecond + burst),
        TokensPerPeriod = Math.Max(1, perSecond),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = false, // refilled on use by LazyTokenBuckets
    };
}
