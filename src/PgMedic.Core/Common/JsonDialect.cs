using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgMedic.Core.Common;

/// <summary>
/// The one JSON dialect of the CLI, the monitor's API, its webhooks and the audit log (docs/json.md):
/// text as it reads (<c>'</c>, <c>+</c>, <c>–</c>, <c>≥</c> unescaped) and times as ISO-8601 UTC.
/// </summary>
public static class JsonDialect
{
    /// <summary>
    /// Escapes only what JSON requires (quotes, backslashes, control characters). Safe because PgMedic never
    /// inlines JSON into HTML or a script: the dashboard fetches it and sets text through its own escaping.
    /// </summary>
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>A copy of a source-generated context's options in the dialect, to construct that context with.</summary>
    public static JsonSerializerOptions Options(JsonSerializerOptions generated)
    {
        ArgumentNullException.ThrowIfNull(generated);
        var options = new JsonSerializerOptions(generated);
        Apply(options);
        return options;
    }

    /// <summary>Puts options not made by a context (ASP.NET Core's) in the dialect.</summary>
    public static void Apply(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Encoder = Encoder;
        if (!options.Converters.OfType<UtcTimeJsonConverter>().Any())
        {
            options.Converters.Add(new UtcTimeJsonConverter());
        }
    }
}

/// <summary>
/// Writes every time as ISO-8601 in UTC with a <c>Z</c> (<c>2025-07-31T03:12:05.1Z</c>), whatever offset it was read
/// with, so readers never meet a local time; reads any ISO-8601 time, with or without an offset (older files).
/// </summary>
public sealed class UtcTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TryGetDateTimeOffset(out var value)
            ? value
            : DateTimeOffset.Parse(reader.GetString() ?? string.Empty, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
    }
}
