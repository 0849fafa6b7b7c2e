using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Data;

namespace ServerDashboard.Tests.Infrastructure;

/// <summary>
/// Which store the tests' dashboards use: SQLite in their data directory (default), or, with
/// <c>SERVERDASHBOARD_TEST_POSTGRES=1</c>, a database of the run's private <see cref="PostgresCluster"/>. The database is
/// named after the data directory: a test that restarts a dashboard on the same directory finds its data again, and
/// every new directory (every test's factory) gets a fresh database, created by the dashboard's migration.
/// </summary>
public static class TestStore
{
    public const string EnvironmentVariable = "SERVERDASHBOARD_TEST_POSTGRES";

    public static bool UsePostgreSql { get; } = Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";

    public static DatabaseProvider Provider => UsePostgreSql ? DatabaseProvider.PostgreSql : DatabaseProvider.Sqlite;

    private static readonly ConcurrentDictionary<string, bool> SqliteOnly = new(StringComparer.Ordinal);

    /// <summary>For tests about the SQLite file itself (its mode, its corruption, an upgrade of an old file): that data
    /// directory's dashboards stay on SQLite in both runs.</summary>
    public static void KeepOnSqlite(string dataDirectory) => SqliteOnly[Path.GetFullPath(dataDirectory)] = true;

    /// <summary>Configuration for a dashboard on <paramref name="dataDirectory"/>: nothing for SQLite.</summary>
    public static IReadOnlyDictionary<string, string> SettingsFor(string dataDirectory) => UsePostgreSql && !SqliteOnly.ContainsKey(Path.GetFullPath(dataDirectory))
        ? new Dictionary<string, string>
        {
            [DashboardStore.ProviderKey] = nameof(DatabaseProvider.PostgreSql),
            [DashboardStore.ConnectionStringKey] = PostgreSqlConnectionStringFor(dataDirectory),
        }
        : new Dictionary<string, string>();

    /// <summary>The same settings as environment variables, for a dashboard or CLI started as a child process.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentFor(string dataDirectory) =>
        SettingsFor(dataDirectory).ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);

    public static string PostgreSqlConnectionStringFor(string dataDirectory) =>
        PostgresCluster.Shared.ConnectionString(DatabaseNameFor(dataDirectory));

    public static string DatabaseNameFor(string dataDirectory) =>
        "sd_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))))[..20];

    /// <summary>
    /// Runs SQL on a dashboard's own store, whichever it is. Quote identifiers ("Servers", "RconPassword"): PostgreSQL folds
    /// unquoted ones to lower case, SQLite accepts the quotes.
    /// </summary>
    public static async Task<int> ExecuteSqlAsync(IServiceProvider services, string sql)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<DashboardDbContext>>().CreateDbContextAsync();
        await using var command = await OpenCommandAsync(db, sql);
        return await command.ExecuteNonQueryAsync();
    }

    /// <inheritdoc cref="ExecuteSqlAsync"/>
    public static async Task<object?> ScalarAsync(IServiceProvider services, string sql)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<DashboardDbContext>>().CreateDbContextAsync();
        await using var command = await OpenCommandAsync(db, sql);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    /// <summary>
    /// For harnesses that build a few services by hand on a SQLite file: the app's <see cref="IDbContextFactory{TContext}"/>
    /// of <see cref="DashboardDbContext"/> (abstract: one model, a subclass per provider) backed by the SQLite subclass.
    /// </summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, string connectionString)
    {
        services.AddDbContextFactory<SqliteDashboardDbContext>(db => db.UseSqlite(connectionString));
        services.AddSingleton<IDbContextFactory<DashboardDbContext>>(sp => new SqliteFactory(sp.GetRequiredService<IDbContextFactory<SqliteDashboardDbContext>>()));
        return services;
    }

    private sealed class SqliteFactory(IDbContextFactory<SqliteDashboardDbContext> inner) : IDbContextFactory<DashboardDbContext>
    {
        public DashboardDbContext CreateDbContext() => inner.CreateDbContext();
    }

    private static async Task<DbCommand> OpenCommandAsync(DashboardDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
