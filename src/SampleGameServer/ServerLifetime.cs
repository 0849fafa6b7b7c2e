namespace SampleGameServer;

/// <summary>
/// Owns the "please stop" signal. Components watch <see cref="Stopping"/>; the server's main flow
/// waits for it and then shuts everything down in order.
/// </summary>
public sealed class ServerLifetime : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public CancellationToken Stopping => _stopping.Token;

    public void RequestStop()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A late signal after shutdown finished: nothing left to stop.
        }
    }

    /// <summary>Applies the side effect of a command once its reply has been delivered.</summary>
    public void Apply(CommandOutcome outcome)
    {
        if (outcome.CrashExitCode is { } code)
        {
            // A crash is abrupt on purpose: no ordered shutdown, no "Stopping server" line.
            Environment.Exit(code);
        }

        if (outcome.StopRequested)
        {
            RequestStop();
        }
    }

    public Task WaitForStopAsync()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Stopping.Register(() => stopped.TrySetResult());
        return stopped.Task;
    }

    public void Dispose() => _stopping.Dispose();
}
