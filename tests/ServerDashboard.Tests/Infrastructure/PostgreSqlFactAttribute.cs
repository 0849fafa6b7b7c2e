namespace ServerDashboard.Tests.Infrastructure;

/// <summary>A test that needs the private PostgreSQL cluster: it runs in the PostgreSQL pass (SERVERDASHBOARD_TEST_POSTGRES=1,
/// see scripts/test.sh) and is reported as skipped, not passed, in the SQLite pass.</summary>
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        if (!TestStore.UsePostgreSql)
        {
            Skip = $"needs PostgreSQL: set {TestStore.EnvironmentVariable}=1 (and install Debian's postgresql)";
        }
    }
}
