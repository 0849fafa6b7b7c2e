namespace ServerDashboard.Tests.Processes;

/// <summary>Waits for a condition without fixed sleeps: checks often, fails with a message after a timeout.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, double timeoutSeconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {timeoutSeconds}s waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }
}
