using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ServerDashboard.Data;

/// <summary>The PostgreSQL store (Dashboard:Database:Provider = PostgreSql). Migrations in Data/Migrations/PostgreSql.</summary>
public sealed class PostgreSqlDashboardDbContext(DbContextOptions<PostgreSqlDashboardDbContext> options, RconPasswordProtector? rconPasswords = null)
    : DashboardDbContext(options, rconPasswords)
{
    /// <summary>
    /// PostgreSQL has no NOCASE: an ICU collation at secondary strength compares "Alpha" and "alpha" as equal, so a unique
    /// index on a name rejects both, as SQLite's NOCASE does. Nondeterministic collations do not support LIKE (PostgreSQL
    /// 15); no query filters these columns with LIKE (the servers page searches in memory).
    /// </summary>
    public const string IcuCaseInsensitiveCollation = "case_insensitive";

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasCollation(IcuCaseInsensitiveCollation, locale: "und-u-ks-level2", provider: "icu", deterministic: false);
        foreach (var property in builder.Model.GetEntityTypes().SelectMany(e => e.GetProperties())
                     .Where(p => p.GetCollation() == CaseInsensitiveCollation))
        {
            property.SetCollation(IcuCaseInsensitiveCollation);
        }
    }
}

/// <summary>What <c>dotnet ef</c> builds to add a PostgreSQL migration (scripts/add-migration.sh); it never connects.</summary>
internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlDashboardDbContext>
{
    public PostgreSqlDashboardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlDashboardDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
