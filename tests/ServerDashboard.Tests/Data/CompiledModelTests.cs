using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Configuration;
using ServerDashboard.Data;
using ServerDashboard.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Data;

/// <summary>
/// The dashboard loads EF Core compiled models (Data/CompiledModels) instead of building its model from the contexts'
/// configuration: each must describe the same tables, columns, keys and relations as that configuration, or an entity
/// change without scripts/optimize-model.sh would silently not be stored.
/// </summary>
public sealed class CompiledModelTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public void The_compiled_model_matches_the_configuration(DatabaseProvider provider)
    {
        var protector = NewProtector();
        using var configured = Context(provider, model: null, protector);
        using var compiled = Context(provider, CompiledStoreModels.For(provider, protector), protector);

        Assert.NotSame(configured.Model, compiled.Model);
        Assert.Equal(Describe(configured.Model), Describe(compiled.Model)); // else: run scripts/optimize-model.sh
    }

    [Fact]
    public async Task Secrets_written_through_the_compiled_model_are_protected_and_read_back_by_the_configured_one()
    {
        using var data = new TempDirectory("sd-compiled");
        var store = DashboardStore.FromConfiguration(new ConfigurationBuilder().Build(), new DataDirectory(data.Path));
        var protector = NewProtector();
        int id;
        await using (var db = store.Create(store.BuildOptions(null, protector), protector))
        {
            await db.Database.MigrateAsync();
            var server = new ServerDefinition { Name = "compiled", Command = ["true"], RconPassword = "rcon-secret-1", Environment = new() { ["TOKEN"] = "env-secret-2" } };
            db.Servers.Add(server);
            await db.SaveChangesAsync();
            id = server.Id;
        }

        await using (var raw = new SqliteConnection(store.ConnectionString))
        {
            await raw.OpenAsync();
            await using var command = raw.CreateCommand();
            command.CommandText = $"""SELECT "RconPassword" || ' ' || "Environment" FROM "Servers" WHERE "Id" = {id}""";
            var stored = (string)(await command.ExecuteScalarAsync())!;
            Assert.StartsWith("dp1:", stored);
            Assert.DoesNotContain("secret", stored);
        }

        // The same protector through the model built from the configuration: both models read what the other wrote.
        var configuredOptions = new DbContextOptionsBuilder<SqliteDashboardDbContext>().UseSqlite(store.ConnectionString).Options;
        await using (var db = new SqliteDashboardDbContext(configuredOptions, protector))
        {
            var server = await db.Servers.SingleAsync(s => s.Id == id);
            Assert.Equal("rcon-secret-1", server.RconPassword);
            Assert.Equal("env-secret-2", server.Environment["TOKEN"]);
        }

        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void Each_protector_gets_a_model_of_its_own_and_contexts_without_one_share_the_generated_model()
    {
        var first = CompiledStoreModels.For(DatabaseProvider.Sqlite, NewProtector());
        var second = CompiledStoreModels.For(DatabaseProvider.Sqlite, NewProtector());

        Assert.NotSame(first, second);
        Assert.Same(CompiledStoreModels.For(DatabaseProvider.Sqlite, null), CompiledStoreModels.For(DatabaseProvider.Sqlite, null));
        Assert.NotNull(RconPasswordConverter(first!));
        Assert.Null(RconPasswordConverter(CompiledStoreModels.For(DatabaseProvider.Sqlite, null)!)); // `db copy` moves ciphertext as it is
    }

    private static object? RconPasswordConverter(IModel model) =>
        model.FindEntityType(typeof(ServerDefinition))!.FindProperty(nameof(ServerDefinition.RconPassword))!.GetValueConverter();

    private static RconPasswordProtector NewProtector() => new(new EphemeralDataProtectionProvider());

    private static DashboardDbContext Context(DatabaseProvider provider, IModel? model, RconPasswordProtector protector)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var sqlite = new DbContextOptionsBuilder<SqliteDashboardDbContext>().UseSqlite("Data Source=:memory:");
            return new SqliteDashboardDbContext((model is null ? sqlite : sqlite.UseModel(model)).Options, protector);
        }

        var postgreSql = new DbContextOptionsBuilder<PostgreSqlDashboardDbContext>().UseNpgsql("Host=localhost;Database=compiled_model_test");
        return new PostgreSqlDashboardDbContext((model is null ? postgreSql : postgreSql.UseModel(model)).Options, protector);
    }

    /// <summary>What the store sees of a model, one line per fact, in a stable order (a diff names what is missing).</summary>
    private static string Describe(IModel model)
    {
        var text = new StringBuilder();
        foreach (var entity in model.GetEntityTypes().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{entity.Name} → {entity.GetSchema()}.{entity.GetTableName()}");
            foreach (var property in entity.GetProperties().OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                var mapping = property.GetRelationalTypeMapping();
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {property.Name}: {property.ClrType.Name} column {property.GetColumnName()} {mapping.StoreType} null={property.IsNullable} " +
                    $"max={property.GetMaxLength()} collation={RunTime(property.GetCollation)} generated={property.ValueGenerated} " +
                    $"default={RunTime(property.GetDefaultValue)} sql-default={RunTime(property.GetDefaultValueSql)} concurrency={property.IsConcurrencyToken} " +
                    $"converter={property.GetValueConverter()?.ProviderClrType.Name ?? mapping.Converter?.ProviderClrType.Name} " +
                    $"comparer={property.GetValueComparer().GetType().Name}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"  key ({Names(entity.FindPrimaryKey()?.Properties)})");
            foreach (var index in entity.GetIndexes().OrderBy(i => i.GetDatabaseName(), StringComparer.Ordinal))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  index {index.GetDatabaseName()} ({Names(index.Properties)}) unique={index.IsUnique} filter={RunTime(index.GetFilter)}");
            }

            foreach (var key in entity.GetForeignKeys().OrderBy(k => k.GetConstraintName(), StringComparer.Ordinal))
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  fk {key.GetConstraintName()} ({Names(key.Properties)}) → {key.PrincipalEntityType.Name} delete={key.DeleteBehavior} required={key.IsRequired} unique={key.IsUnique}");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Facts only the schema needs (collations, SQL defaults) are not kept in a read-optimized model, whether compiled or
    /// built at run time: the migrations carry them, and StoreStartupTests checks those against the configuration.
    /// </summary>
    private static object? RunTime(Func<object?> fact)
    {
        try
        {
            return fact();
        }
        catch (InvalidOperationException)
        {
            return "(design time only)";
        }
    }

    private static string Names(IEnumerable<IReadOnlyProperty>? properties) => string.Join(", ", properties?.Select(p => p.Name) ?? []);
}
