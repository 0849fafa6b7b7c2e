namespace ServerDashboard.Data;

/// <summary>
/// Loads the store's compiled model (<see cref="CompiledStoreModels"/>) and has EF Core initialize it and build its
/// internal services (the relational mapping, the provider's services: most of what remained of the model's cost at a
/// cold start once the model was compiled) on another core while the web host is still being put together, instead of on
/// the start-up path where the first context is used (<see cref="Hosting.StartupTasks"/>). It opens no connection and
/// touches no file, so it is safe before the instance lock is held. Every context of the host shares the one model
/// instance, which EF initializes once.
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
