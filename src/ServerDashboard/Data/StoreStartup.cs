using System.Data.Common;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ServerDashboard.Hosting;

namespace ServerDashboard.Data;

/// <summary>The store could not be reached or used at start-up; the message says which store and why, without secrets.</summary>
public sealed class StoreUnavailableException(string message, bool isConfigurationError) : Exception(message)
{
    /// <summary>True when retrying cannot help (wrong password, no such role, no permission): exit EX_CONFIG, not EX_UNAVAILABLE.</summary>
    public bool IsConfigurationError { get; } = isConfigurationError;
}

public static class StoreStartup
{
    /// <summary>
    /// Applies the provider's migrations (creating a PostgreSQL database that does not exist yet, if the role may). A store
    /// whose history table already lists every migration of this build is left as it is, without <c>Migrate</c>.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The server is unreachable or refused us.</exception>
    public static async Task MigrateAsync(DashboardDbContext db, DashboardStore store, CancellationToken cancellationToken)
    {
        try
        {
            // Migrate on an up-to-date store still takes the migration lock, creates the history table if missing, and
            // builds the migrations' snapshot model to diff against the context's (EF's pending-model-changes check): about
            // a tenth of a cold start (docs/PERFORMANCE.md). Reading the history table answers "anything to apply?" at the
            // cost of one query; any migration missing from it (a new build, a half-migrated store) goes through Migrate as
            // before, which applies it under the lock. The pending-model-changes check is a developer's check: a unit test
            // (StoreStartupTests) asserts it for both providers, and every fresh store still migrates.
            var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            if (db.Database.GetMigrations().All(applied.Contains))
            {
                return;
            }

            await db.Database.MigrateAsync(cancellationToken);
        }
        catch (Exception ex) when (!store.IsSqlite && ex is DbException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw Explain(ex, store);
        }
    }

    /// <summary>
    /// Before the host starts: can the PostgreSQL server be reached and does it accept us? A database that does not exist
    /// yet is fine (the migration creates it). Failing here keeps the message to one line; inside the host, a failed start
    /// is logged with its whole stack.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The server is unreachable or refused us.</exception>
    public static async Task ProbeAsync(DashboardStore store, CancellationToken cancellationToken)
    {
        if (store.IsSqlite)
        {
            return;
        }

        try
        {
            await using var connection = new NpgsqlConnection(store.ConnectionString);
            await connection.OpenAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            // 3D000: the database does not exist yet; MigrateAsync creates it (or says why it may not).
        }
        catch (Exception ex) when (ex is DbException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw Explain(ex, store);
        }
    }

    /// <summary>One line per cause ("Failed to connect to 127.0.0.1:5432 → Connection refused"), never the stack or the password.</summary>
    public static StoreUnavailableException Explain(Exception ex, DashboardStore store)
    {
        var causes = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            var text = e is PostgresException pg ? $"{pg.MessageText} (SQLSTATE {pg.SqlState})" : e.Message;
            if (!causes.Contains(text))
            {
                causes.Add(text);
            }
        }

        // A server that answered with an error (authentication, a missing role, no CREATE DATABASE right) will answer the same
        // on a retry; a refused or timed-out connection may work once the server is up.
        var refused = ex is PostgresException || ex.InnerException is PostgresException;
        var unreachable = !refused && (ex.InnerException is SocketException or TimeoutException || ex is NpgsqlException { IsTransient: true } or TimeoutException);
        var what = unreachable ? "is unreachable" : "refused the dashboard";
        return new StoreUnavailableException($"The {store.Description} {what}: {string.Join(" → ", causes)}", isConfigurationError: !unreachable);
    }
}
