namespace ServerDashboard.Tests.Processes;

/// <summary>Waits for a condition without fixed sleeps: checks often, fails with a message after a timeout.</summary>
public static class Poll
{
    public static Task UntilAsync(Func<bool> condition, string what, double timeoutSeconds = 10) =>
        UntilAsync(condition, what, diagnose: null, timeoutSeconds);

    /// <param name="diagnose">Called once on timeout; what it returns goes into the failure message (the state a flaky
    /// wait was in, e.g. a daemon's console).</param>
    public static async Task UntilAsync(Func<bool> condition, string what, Func<string>? diagnose, double timeoutSeconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                string detail = diagnose is null ? "" : $"; {diagnose()}";
                throw new TimeoutException($"timed out after {timeoutSeconds}s waiting for: {what}{detail}");
            }

            await Task.Delay(20);
        }
    }
}
