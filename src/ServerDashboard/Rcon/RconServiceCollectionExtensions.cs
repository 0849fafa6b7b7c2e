namespace ServerDashboard.Rcon;

public static class RconServiceCollectionExtensions
{
    /// <summary>
    /// The per-server RCON connections and the definition lookup. Options keep their defaults here; the host binds the
    /// <c>Rcon</c> section (bUnit tests use this without any configuration).
    /// </summary>
    public static IServiceCollection AddRcon(this IServiceCollection services)
    {
        services.AddOptions<RconOptions>()
            .Validate(o => o.ConnectTimeout > TimeSpan.Zero && o.CommandTimeout > TimeSpan.Zero && o.FragmentIdleTimeout > TimeSpan.Zero,
                "Rcon timeouts must be positive.")
            .Validate(o => o.MaxReplyBytes > 0, "Rcon:MaxReplyBytes must be positive.");
        services.AddMetrics(); // IMeterFactory for RconMetrics (host-less contexts lack it)
        services.AddSingleton<RconMetrics>();
        services.AddSingleton<RconConnections>();
        return services;
    }
}
