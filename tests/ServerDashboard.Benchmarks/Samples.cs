namespace ServerDashboard.Benchmarks;

/// <summary>Summaries of repeated samples of one figure.</summary>
public static class Samples
{
    /// <summary>The middle value; the mean of the two middle ones for an even count (0 for none).</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return 0;
        }

        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
