using System.Security.Cryptography;
using System.Text;
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

    /// <summary>Configuration for a dashboard on <paramref name="dataDirectory"/>: nothing for SQLite.</summary>
    public static IReadOnlyDictionary<string, string> SettingsFor(string dataDirectory) => UsePostgreSql
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
}
