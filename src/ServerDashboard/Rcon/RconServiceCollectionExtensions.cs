namespace ServerDashboard.Rcon;

public static class RconServiceCollectionExtensions
{
    /// <summary>The per-server RCON connections (options from the <c>Rcon</c> section) and the definition lookup.</summary>
    public static IServiceCollection AddRcon(this IServiceCollection services)
    {
        services.AddOptions<RconOptions>().BindConfiguration(RconOptions.SectionName)
            .Validate(o => o.ConnectTimeout > TimeSpan.Zero && o.CommandTimeout > TimeSpan.Zero && o.FragmentIdleTimeout > TimeSpan.Zero,
                "Rcon timeouts must be positive.");
        services.AddSingleton<RconTargets>();
        services.AddSingleton<RconTargetLookup>(sp => sp.GetRequiredService<RconTargets>().FindAsync);
        services.AddSingleton<RconConnections>();
        return services;
    }
}
