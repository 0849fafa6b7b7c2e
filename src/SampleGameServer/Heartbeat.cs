using System.Diagnostics;
using System.Globalization;

namespace SampleGameServer;

/// <summary>Prints a periodic line so a log viewer always has fresh output to show.</summary>
public sealed class Heartbeat(ServerLog log, TimeSpan interval, long startTimestamp, Func<int> playerCount)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var uptime = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
                log.Info(string.Create(
                    CultureInfo.InvariantCulture, $"Heartbeat: uptime {uptime:0.0}s, {playerCount()} players online"));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
