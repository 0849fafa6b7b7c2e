using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ServerDashboard.Data;

/// <summary>
/// Lists and maps of strings stored as one JSON text column (argv, webhook events, a crash's last lines, environments),
/// with the comparers that let EF see a change inside them. Static lambdas, so the compiled-model generator can write
/// them out as code (scripts/optimize-model.sh).
/// </summary>
internal static class JsonColumns
{
    public static readonly ValueConverter<List<string>, string> StringList = new(
        static v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
        static v => JsonSerializer.Deserialize<List<string>>(v, JsonSerializerOptions.Default) ?? new List<string>());

    /// <summary>Two lists are equal when they hold the same strings in the same order.</summary>
    public static readonly ValueComparer<List<string>> StringListComparer = new(
        static (a, b) => a!.SequenceEqual(b!),
        static v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s)),
        static v => v.ToList());

    public static readonly ValueConverter<Dictionary<string, string>, string> StringMap = new(
        static v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
        static v => JsonSerializer.Deserialize<Dictionary<string, string>>(v, JsonSerializerOptions.Default) ?? new Dictionary<string, string>());

    /// <summary>Two maps are equal when they hold the same pairs (a dictionary's order means nothing).</summary>
    public static readonly ValueComparer<Dictionary<string, string>> StringMapComparer = new(
        static (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
        static v => v.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value)),
        static v => new Dictionary<string, string>(v));
}
