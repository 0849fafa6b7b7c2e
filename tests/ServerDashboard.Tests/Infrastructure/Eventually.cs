namespace ServerDashboard.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or the time is up: tests wait for facts, never for fixed delays.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> until, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = await probe();
        while (!until(last))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last value: {last}");
            }

            await Task.Delay(50);
            last = await probe();
        }

        return last;
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        ReturnsAsync(() => Task.FromResult(condition()), ok => ok, timeout, what);
}
