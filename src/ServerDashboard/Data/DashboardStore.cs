using Microsoft.EntityFrameworkCore;
using Npgsql;
using ServerDashboard.Hosting;

namespace ServerDashboard.Data;

/// <summary>Where the dashboard keeps its state: the embedded SQLite file (default) or a PostgreSQL database.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// The store chosen by configuration: <c>Dashboard:Database:Provider</c> (Sqlite | PostgreSql) and, for PostgreSQL,
/// <c>ConnectionStrings:Dashboard</c>. Checked when first resolved (start-up), with a message that names the key to fix.
/// </summary>
public sealed class DashboardStore
{
    public const string ProviderKey = "Dashboard:Database:Provider";

    public const string ConnectionStringName = "Dashboard";

    public const string ConnectionStringKey = "ConnectionStrings:" + ConnectionStringName;

    private DashboardStore(DatabaseProvider provider, string connectionString, string description)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Description = description;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>Holds the PostgreSQL password: never log it; <see cref="Description"/> is the printable form.</summary>
    public string ConnectionString { get; }

    /// <summary>The store without secrets, for logs and errors ("PostgreSQL database 'x' on host:5432 as user 'y'").</summary>
    public string Description { get; }

    public bool IsSqlite => Provider == DatabaseProvider.Sqlite;

    /// <exception cref="InvalidConfigurationException">An unknown provider, or a missing or malformed connection string.</exception>
    public static DashboardStore FromConfiguration(IConfiguration configuration, DataDirectory? dataDirectory)
    {
        var providerName = configuration[ProviderKey];
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        var provider = ParseProvider(providerName);
        if (provider == DatabaseProvider.Sqlite)
        {
            if (!string.IsNullOrWhiteSpace(connectionString))
            {
                // Most likely a PostgreSQL connection string with the provider left out: starting on an empty SQLite file
                // instead would look like lost data.
                throw new InvalidConfigurationException(
                    $"{ConnectionStringKey} (ConnectionStrings__Dashboard) is set but {ProviderKey} is Sqlite. Set {ProviderKey} to PostgreSql " +
                    "to use that database, or remove the connection string: SQLite always uses dashboard.db in the data directory.");
            }

            return dataDirectory is null
                ? new DashboardStore(DatabaseProvider.Sqlite, "", "SQLite database")
                : new DashboardStore(DatabaseProvider.Sqlite, dataDirectory.ConnectionString, $"SQLite database {dataDirectory.DatabaseFile}");
        }

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidConfigurationException(
                $"{ProviderKey} is PostgreSql but {ConnectionStringKey} (environment: ConnectionStrings__Dashboard) is not set, " +
                "e.g. \"Host=127.0.0.1;Port=5432;Database=serverdashboard;Username=serverdashboard;Password=...\".");
        }

        return new DashboardStore(DatabaseProvider.PostgreSql, connectionString, DescribePostgreSql(connectionString, ConnectionStringKey));
    }

    /// <summary>Checks the settings alone (before the host starts, so a mistake is one line, not a logged stack trace).</summary>
    /// <exception cref="InvalidConfigurationException">An unknown provider, or a missing or malformed connection string.</exception>
    public static void Validate(IConfiguration configuration) => FromConfiguration(configuration, dataDirectory: null);

    /// <summary>A PostgreSQL store from a connection string given on the command line (<c>db copy --to</c>).</summary>
    public static DashboardStore ForPostgreSql(string connectionString, string source) =>
        new(DatabaseProvider.PostgreSql, connectionString, DescribePostgreSql(connectionString, source));

    public static DatabaseProvider ParseProvider(string? name) => name?.Trim() switch
    {
        null or "" => DatabaseProvider.Sqlite,
        var n when n.Equals("Sqlite", StringComparison.OrdinalIgnoreCase) => DatabaseProvider.Sqlite,
        var n when n.Equals("PostgreSql", StringComparison.OrdinalIgnoreCase) => DatabaseProvider.PostgreSql,
        _ => throw new InvalidConfigurationException($"{ProviderKey} is '{name}': it must be Sqlite (the default) or PostgreSql."),
    };

    /// <summary>Host, port, database and user, never the password (the builder's error for a bad key names only the key).</summary>
    private static string DescribePostgreSql(string connectionString, string source)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            throw new InvalidConfigurationException($"{source} is not a valid PostgreSQL connection string: {ex.Message}");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new InvalidConfigurationException($"{source} names no Host (e.g. Host=127.0.0.1).");
        }

        return $"PostgreSQL database '{builder.Database ?? builder.Username}' on {builder.Host}:{builder.Port} as user '{builder.Username}'";
    }

    /// <summary>
    /// Options for this store's context type, with the compiled model for <paramref name="protector"/>; the context itself
    /// comes from <see cref="Create"/>, given the same protector.
    /// </summary>
    public DbContextOptions BuildOptions(ILoggerFactory? loggerFactory, RconPasswordProtector? protector)
    {
        DbContextOptionsBuilder builder = Provider == DatabaseProvider.Sqlite
            ? new DbContextOptionsBuilder<SqliteDashboardDbContext>().UseSqlite(ConnectionString).AddInterceptors(new SqlitePragmas())
            : new DbContextOptionsBuilder<PostgreSqlDashboardDbContext>().UseNpgsql(ConnectionString);
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        if (CompiledStoreModels.For(Provider, protector) is { } model)
        {
            builder.UseModel(model);
        }

        return builder.Options;
    }

    public DashboardDbContext Create(DbContextOptions options, RconPasswordProtector? protector) => Provider == DatabaseProvider.Sqlite
        ? new SqliteDashboardDbContext((DbContextOptions<SqliteDashboardDbContext>)options, protector)
        : new PostgreSqlDashboardDbContext((DbContextOptions<PostgreSqlDashboardDbContext>)options, protector);
}

/// <summary>Contexts of the configured provider behind the one type the code base uses.</summary>
public sealed class DashboardDbContextFactory(DashboardStore store, DbContextOptions options, RconPasswordProtector? protector)
    : IDbContextFactory<DashboardDbContext>
{
    public DashboardStore Store => store;

    public DashboardDbContext CreateDbContext() => store.Create(options, protector);
}
