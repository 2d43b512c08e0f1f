using System.Text.Json;
using PgMedic.Core.Common;
using PgMedic.Testing;

namespace PgMedic.Core.Tests.Common;

public sealed class JsonDialectTests
{
    private const string Text = "it's a+b – c ≥ d − e <x> & \"q\" \\ end";

    [Fact]
    public void Options_PrintableCharacters_WrittenAsTheyReadWhereTheDefaultEscapesThem()
    {
        var dialect = JsonSerializer.Serialize(Text, JsonDialect.Options(JsonSerializerOptions.Default));
        var escaped = JsonSerializer.Serialize(Text, JsonSerializerOptions.Default);

        Assert.Empty(JsonSchemas.NeedlessEscapes(dialect));
        Assert.Equal(["\\u0027", "\\u002B", "\\u2013", "\\u2265", "\\u2212", "\\u003C", "\\u003E", "\\u0026", "\\u0022"], JsonSchemas.NeedlessEscapes(escaped));
        Assert.Equal(Text, JsonSerializer.Deserialize<string>(dialect));
    }

    [Fact]
    public void Options_ControlCharacter_StillEscaped()
    {
        var json = JsonSerializer.Serialize("a\u0001b\nc", JsonDialect.Options(JsonSerializerOptions.Default));

        Assert.Equal("\"a\\u0001b\\nc\"", json);
        Assert.Empty(JsonSchemas.NeedlessEscapes(json));
    }

    [Theory]
    [InlineData("2025-07-31T05:12:05.1+02:00", "\"2025-07-31T03:12:05.1Z\"")]
    [InlineData("2025-07-31T03:12:05+00:00", "\"2025-07-31T03:12:05Z\"")]
    [InlineData("2025-07-31T03:12:05.1234567-07:00", "\"2025-07-31T10:12:05.1234567Z\"")]
    public void UtcTimeConverter_AnyOffset_WrittenAsUtcWithZ(string time, string expected)
    {
        var options = JsonDialect.Options(JsonSerializerOptions.Default);

        Assert.Equal(expected, JsonSerializer.Serialize(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), options));
    }

    [Theory]
    [InlineData("\"2025-07-31T03:12:05.1+00:00\"")]
    [InlineData("\"2025-07-31T05:12:05.1+02:00\"")]
    [InlineData("\"2025-07-31T03:12:05.1Z\"")]
    public void UtcTimeConverter_OlderFilesOffsets_ReadAsTheSameInstant(string json)
    {
        var read = JsonSerializer.Deserialize<DateTimeOffset>(json, JsonDialect.Options(JsonSerializerOptions.Default));

        Assert.Equal(new DateTimeOffset(2025, 7, 31, 3, 12, 5, 100, TimeSpan.Zero), read);
    }
}
