using System.Text.Json.Serialization;

namespace ServerDashboard.Processes;

/// <summary>Source-generated JSON for the PID, stop-intent and lock files (camelCase, as documented in docs/pid-file.md).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(PidFileRecord))]
[JsonSerializable(typeof(LockFileContent))]
[JsonSerializable(typeof(StopIntentBatch))]
internal sealed partial class ProcessesJsonContext : JsonSerializerContext;
