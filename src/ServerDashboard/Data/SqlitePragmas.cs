using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ServerDashboard.Data;

/// <summary>
/// Per-connection SQLite settings. With WAL (set once at start-up), <c>synchronous=NORMAL</c> syncs at checkpoints
/// instead of on every commit: the database stays consistent after a power loss, which may lose the last commits;
/// a power action costs far less than one fsync per status write.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
