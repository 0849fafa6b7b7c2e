using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Servers.History;

/// <summary>
/// Where each resolution ends at a given instant: ticks newer than <see cref="TickCutoff"/> stay as they are, older ones
/// become minute averages; minute averages older than <see cref="MinuteCutoff"/> become hour averages; hour averages
/// older than <see cref="HourCutoff"/> are deleted. Cutoffs fall on bucket boundaries so a bucket is only ever averaged
/// when all its samples are past the cutoff (never half of a minute now and the other half later).
/// </summary>
public sealed record HistoryRetention(long TickCutoff, long MinuteCutoff, long HourCutoff)
{
    public const int Minute = 60;
    public const int Hour = 3600;

    public static HistoryRetention At(DateTimeOffset now, ResourceHistoryOptions options)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        return new HistoryRetention(
            FloorTo(nowMs - (long)options.FullResolutionHours * Hour * 1000, Minute),
            FloorTo(nowMs - (long)options.MinuteAveragesDays * 24 * Hour * 1000, Hour),
            nowMs - (long)options.HourAveragesDays * 24 * Hour * 1000);
    }

    /// <summary>The start of the <paramref name="bucketSeconds"/> bucket holding <paramref name="unixMs"/>.</summary>
    public static long FloorTo(long unixMs, int bucketSeconds)
    {
        var size = bucketSeconds * 1000L;
        return unixMs - (((unixMs % size) + size) % size);
    }
}
