using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerDashboard.Text;

/// <summary>
/// Refuses a NUL character (<c>\u0000</c>) in any string a client sends. It cannot be stored in PostgreSQL text (the
/// insert fails), cannot be passed in an argv or environment entry, and has no meaning in a name, pattern or command,
/// so it is a 400 at the door instead of a 500 (or a silently cut string) deeper in. Written strings pass unchanged.
/// </summary>
public sealed class NulFreeStringConverter : JsonConverter<string>
{
    public const string Message = "NUL characters (\\u0000) are not allowed in text.";

    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        return value is not null && value.Contains('\0', StringComparison.Ordinal) ? throw new JsonException(Message) : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
