using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ServerDashboard.Data;

/// <summary>
/// The store's model, shared by both providers. Each provider has a subclass (<see cref="SqliteDashboardDbContext"/>,
/// <see cref="PostgreSqlDashboardDbContext"/>) because EF Core keys a migration set to one context type: each keeps its
/// own migrations (Data/Migrations/Sqlite, Data/Migrations/PostgreSql). Code elsewhere only knows this base type.
/// </summary>
public abstract class DashboardDbContext(DbContextOptions options, RconPasswordProtector? rconPasswords)
    : IdentityDbContext<IdentityUser>(options)
{
    /// <summary>Case-insensitive comparison and uniqueness for names (servers, job types). SQLite's built-in collation;
    /// the PostgreSQL context maps it to a nondeterministic ICU collation of its own.</summary>
    public const string CaseInsensitiveCollation = "NOCASE";

    /// <summary>The model's value converters capture this protector: a model is only valid for contexts with the same one.</summary>
    internal object? Protector => rconPasswords;

    public DbSet<ServerDefinition> Servers => Set<ServerDefinition>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<ServerRunState> ServerRunStates => Set<ServerRunState>();

    public DbSet<ServerTransitionRecord> ServerTransitions => Set<ServerTransitionRecord>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<CrashRecord> CrashRecords => Set<CrashRecord>();

    public DbSet<ResourceSample> ResourceSamples => Set<ResourceSample>();

    public DbSet<ManagedPort> ManagedPorts => Set<ManagedPort>();

    public DbSet<JobType> JobTypes => Set<JobType>();

    public DbSet<Webhook> Webhooks => Set<Webhook>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<ServerDefinition>(server =>
        {
            server.ToTable("Servers");
            server.HasIndex(s => s.Name).IsUnique();
            server.Property(s => s.Name).HasMaxLength(100).UseCollation(CaseInsensitiveCollation);
            server.Property(s => s.StopMode).HasConversion<string>().HasMaxLength(16);
            server.Property(s => s.RestartPolicy).HasConversion<string>().HasMaxLength(16);
            server.Property(s => s.LimitAction).HasConversion<string>().HasMaxLength(16).HasDefaultValue(ServerDashboard.Servers.LimitAction.Warn).HasSentinel((ServerDashboard.Servers.LimitAction)(-1));
            if (rconPasswords is not null)
            {
                server.Property(s => s.RconPassword).HasConversion(ServerSecretColumns.RconPassword(rconPasswords));
            }

            // With the protector the whole environment is protected at rest like the RCON password ("dp1:" + ciphertext):
            // it holds the secret values, and a value converter cannot see which keys are secret. Legacy JSON reads as is.
            server.Property(s => s.Environment).HasConversion(
                rconPasswords is null ? JsonColumns.StringMap : ServerSecretColumns.Environment(rconPasswords),
                JsonColumns.StringMapComparer);
        });

        builder.Entity<ServerRunState>(run =>
        {
            run.HasKey(r => r.ServerId);
            run.HasOne<ServerDefinition>().WithOne().HasForeignKey<ServerRunState>(r => r.ServerId).OnDelete(DeleteBehavior.Cascade);
            run.Property(r => r.LastExitKind).HasMaxLength(16);
        });

        builder.Entity<ServerTransitionRecord>(transition =>
        {
            transition.ToTable("ServerTransitions");
            transition.HasIndex(t => new { t.ServerId, t.Id });
            transition.HasOne<ServerDefinition>().WithMany().HasForeignKey(t => t.ServerId).OnDelete(DeleteBehavior.Cascade);
            transition.Property(t => t.From).HasMaxLength(16);
            transition.Property(t => t.To).HasMaxLength(16);
            transition.Property(t => t.Reason).HasMaxLength(500);
            transition.Property(t => t.Actor).HasMaxLength(256);
        });

        builder.Entity<AuditEntry>(entry =>
        {
            entry.ToTable("AuditLog");
            entry.HasIndex(e => e.At);
            entry.HasIndex(e => new { e.ServerId, e.At });
            entry.Property(e => e.Actor).HasMaxLength(256);
            entry.Property(e => e.ServerName).HasMaxLength(100);
            entry.Property(e => e.Action).HasMaxLength(32);
            entry.Property(e => e.SourceIp).HasMaxLength(64);
        });

        builder.ApplyConfiguration(new CrashRecordConfiguration());
        builder.ApplyConfiguration(new ResourceSampleConfiguration());
        JobType.Configure(builder);

        builder.Entity<ApiKey>(key =>
        {
            key.HasIndex(k => k.Prefix).IsUnique();
            key.Property(k => k.Name).HasMaxLength(100);
            key.Property(k => k.Role).HasMaxLength(16);
        });

        ManagedPort.Configure(builder);
        Schedules.Schedule.Configure(builder);
        Webhook.Configure(builder);
    }

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
        optionsBuilder.ReplaceService<IModelCacheKeyFactory, ProtectionAwareModelCacheKeyFactory>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset; store it as a sortable 64-bit number. PostgreSQL keeps the same
        // representation (bigint): one model for both, and `db copy` moves the values unchanged.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>
/// For contexts that build their model from this configuration (design time, CompiledModelTests; a host's contexts use
/// a compiled model of their own, <see cref="CompiledStoreModels"/>): EF caches one model per context type, and the
/// model's converters capture the protector, so with and without it are two models, and so are two protectors (two
/// dashboards in one process, whose contexts can share EF's internal services: each must decrypt with its own keys).
/// </summary>
internal sealed class ProtectionAwareModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        (context.GetType(), (context as DashboardDbContext)?.Protector ?? NoProtector, designTime);

    private static readonly object NoProtector = new();
}
