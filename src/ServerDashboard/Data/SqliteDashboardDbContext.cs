using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ServerDashboard.Data;

/// <summary>The embedded default store: one SQLite file in the data directory. Migrations in Data/Migrations/Sqlite.</summary>
public sealed class SqliteDashboardDbContext(DbContextOptions<SqliteDashboardDbContext> options, RconPasswordProtector? rconPasswords = null)
    : DashboardDbContext(options, rconPasswords);

/// <summary>What <c>dotnet ef</c> builds to add a SQLite migration (scripts/add-migration.sh); it never opens the file.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteDashboardDbContext>
{
    public SqliteDashboardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteDashboardDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
