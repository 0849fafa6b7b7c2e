using System.Globalization;

namespace ServerDashboard.Components.Settings;

/// <summary>How times and keys are shown. The server does not know the browser's time zone, so times are UTC (column titles say so).</summary>
public static class DisplayFormat
{
    public static string Utc(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Utc(DateTimeOffset? time, string whenNull) => time is { } t ? Utc(t) : whenNull;

    /// <summary>The public part of an API key; the secret after it is never stored.</summary>
    public static string KeyHint(string prefix) => $"sdk_{prefix}_…";
}
