using System.Text.Json;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ServerDashboard.Data;

/// <summary>
/// How a server's two secret-bearing columns are stored: <c>RconPassword</c> and <c>Environment</c> (which holds the
/// secret environment values), both protected at rest by <see cref="RconPasswordProtector"/> ("dp1:" + ciphertext; a
/// legacy plain value reads as it is). One definition used twice: by <see cref="DashboardDbContext.OnModelCreating"/>
/// (the model EF builds at run time: design time, and the check that the compiled models match it) and by
/// <see cref="CompiledStoreModels"/>, which adds the protecting converters to a compiled model, because a compiled model's
/// generated code cannot hold a converter bound to a runtime instance (the host's protector).
/// </summary>
internal static class ServerSecretColumns
{
    public const string RconPasswordProperty = nameof(ServerDefinition.RconPassword);

    public const string EnvironmentProperty = nameof(ServerDefinition.Environment);

    public static ValueConverter<string?, string?> RconPassword(RconPasswordProtector protector) => new(
        v => v == null ? null : protector.Protect(v),
        v => v == null ? null : protector.Unprotect(v));

    /// <summary>
    /// The whole environment as one protected JSON document: a converter cannot see which keys are secret. Without a
    /// protector (design time, `db copy`'s raw contexts) it is <see cref="JsonColumns.StringMap"/>; either way compared
    /// with <see cref="JsonColumns.StringMapComparer"/>.
    /// </summary>
    public static ValueConverter<Dictionary<string, string>, string> Environment(RconPasswordProtector protector) => new(
        v => protector.Protect(JsonSerializer.Serialize(v, JsonSerializerOptions.Default)),
        v => JsonSerializer.Deserialize<Dictionary<string, string>>(protector.Unprotect(v), JsonSerializerOptions.Default) ?? new Dictionary<string, string>());

    /// <summary>
    /// Adds the protecting converters to a compiled model that is still being built (before FinalizeModel).
    /// <c>SetValueConverter</c> is marked internal to EF Core (EF1001): it is the call the generated code itself makes for
    /// every converter, and the models are regenerated with each EF Core version (CompiledModelTests fails if this breaks).
    /// </summary>
    public static void Protect(RuntimeModel model, RconPasswordProtector protector)
    {
        var server = model.FindEntityType(typeof(ServerDefinition).FullName!)!;
#pragma warning disable EF1001
        server.FindProperty(RconPasswordProperty)!.SetValueConverter(RconPassword(protector));
        server.FindProperty(EnvironmentProperty)!.SetValueConverter(Environment(protector));
#pragma warning restore EF1001
    }
}
