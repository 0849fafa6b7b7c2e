namespace ServerDashboard.Data;

/// <summary>
/// Builds EF Core's model (conventions over every entity type, Identity's included: ≈ 0.5 s of a cold start on a 2-core
/// VM) on another core while the web host is still being put together, instead of on the start-up path where the first
/// context is used (<see cref="Hosting.StartupTasks"/>). Building the model opens no connection and touches no file, so it
/// is safe before the instance lock is held. EF caches the model per context type and protector; a context used meanwhile
/// waits on EF's own lock for this build rather than building a second one.
/// </summary>
public sealed class StoreModelWarmUp(IServiceScopeFactory scopes, ILogger<StoreModelWarmUp> logger)
{
    private Task? warming;

    /// <summary>Starts the build on the thread pool (once).</summary>
    public void Start() => warming ??= Task.Run(Build);

    /// <summary>
    /// Waits for a started build. A failure is logged, not thrown: the store's first real use reports it where it matters.
    /// </summary>
    public Task WaitAsync(CancellationToken cancellationToken) => (warming ?? Task.CompletedTask).WaitAsync(cancellationToken);

    private void Build()
    {
        try
        {
            using var scope = scopes.CreateScope();
            _ = scope.ServiceProvider.GetRequiredService<DashboardDbContext>().Model;
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Building the store's model ahead of start-up failed; it is built on first use instead");
        }
    }
}
